'use client';

import { NativeSelect, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api } from '../../../src/api-client';
import { AdminPage, ErrorAlert, Loading } from '../../../src/admin/admin-page';
import { CopyBlock } from '../../../src/admin/copy-block';
import { exposedName, profilePath, type ProfileToolEntry, type ProfileView } from '../../../src/admin/profiles/profile-types';
import { ToolEntryForm } from '../../../src/admin/profiles/tool-entry-form';
import { ToolEntryTable } from '../../../src/admin/profiles/tool-entry-table';
import { ToolListPreview } from '../../../src/admin/profiles/tool-list-preview';
import { errorText, useResource } from '../../../src/admin/use-resource';
import { useMe } from '../../../src/session';

function ProfileEditor({ slug }: { slug: string }) {
  const me = useMe();
  const [view, setView] = useState<ProfileView | null>(null);
  const [editing, setEditing] = useState<ProfileToolEntry | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setView(null);
    api<ProfileView>(profilePath(me.tenant.slug, slug))
      .then(setView)
      .catch((e: unknown) => setError(errorText(e)));
  }, [me.tenant.slug, slug]);

  /** Every edit replaces the whole list, as a config file would declare it. */
  const save = async (tools: ProfileToolEntry[]): Promise<boolean> => {
    try {
      setView(
        await api<ProfileView>(`${profilePath(me.tenant.slug, slug)}/tools`, {
          method: 'PUT',
          csrfToken: me.csrfToken,
          body: JSON.stringify({ tools }),
        }),
      );
      setError(null);
      setEditing(null);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    }
  };

  if (!view) return error ? <ErrorAlert error={error} /> : <Loading />;
  const others = (entry: ProfileToolEntry | null) => view.tools.filter((t) => !entry || exposedName(t) !== exposedName(entry));
  return (
    <>
      <ToolEntryTable
        entries={view.tools}
        onEdit={setEditing}
        onRemove={(entry) => {
          if (window.confirm(`Remove ${exposedName(entry)} from ${slug}? Its clients stop seeing it.`)) void save(others(entry));
        }}
      />
      <ToolEntryForm
        key={editing ? exposedName(editing) : 'new'}
        catalog={view.catalog}
        editing={editing}
        onSubmit={(entry) => save([...others(editing), entry])}
        onCancel={() => setEditing(null)}
      />
      <ErrorAlert error={error} title="The profile was not changed" />
      <ToolListPreview preview={view.preview} />
      <Text size="sm">
        A later gatehouse apply of a file without these entries reverts them: commit this fragment into the tenant&apos;s config file.
      </Text>
      <CopyBlock
        label="As configuration (YAML)"
        text={view.yaml}
        filename={`${me.tenant.slug}-${slug}-tools.yaml`}
        mime="application/yaml"
        testId="profile-yaml"
      />
    </>
  );
}

function Profiles() {
  const me = useMe();
  const profiles = useResource<{ items: Array<{ slug: string; description: string | null }> }>(profilePath(me.tenant.slug));
  const [slug, setSlug] = useState<string | null>(null);
  if (!profiles.data) return profiles.error ? <ErrorAlert error={profiles.error} /> : <Loading />;
  if (profiles.data.items.length === 0) return <Text>No profiles: declare them with gatehouse apply.</Text>;
  const current = slug ?? profiles.data.items[0]?.slug ?? '';
  return (
    <>
      <NativeSelect
        label="Profile"
        data={profiles.data.items.map((p) => p.slug)}
        value={current}
        onChange={(e) => setSlug(e.currentTarget.value)}
        w={260}
      />
      <ProfileEditor key={current} slug={current} />
    </>
  );
}

export default function ProfilesPage() {
  return (
    <AdminPage
      title="Profiles"
      intro="A profile's tools: renames, descriptions, pinned and hidden arguments, approval, and what a client sees."
    >
      <Profiles />
    </AdminPage>
  );
}
