'use client';

import { Code, Text } from '@mantine/core';
import { useState } from 'react';
import { AdminPage, ErrorAlert, Loading } from '../../../src/admin/admin-page';
import { CopyBlock } from '../../../src/admin/copy-block';
import { GroupMappingForm } from '../../../src/admin/groups/group-mapping-form';
import { GroupMappingTable } from '../../../src/admin/groups/group-mapping-table';
import { groupPath, type GroupMapping, type GroupMappingsView } from '../../../src/admin/groups/group-types';
import { useResource } from '../../../src/admin/use-resource';
import { useMe } from '../../../src/session';

function GroupMappings() {
  const me = useMe();
  const resource = useResource<GroupMappingsView>(groupPath(me.tenant.slug));
  // Every change answers with the new state; it replaces the loaded one until the next reload.
  const [latest, setLatest] = useState<GroupMappingsView | null>(null);
  const [editing, setEditing] = useState<GroupMapping | null>(null);
  const view = latest ?? resource.data;
  if (!view) return resource.error ? <ErrorAlert error={resource.error} title="The mappings could not be loaded" /> : <Loading />;
  return (
    <>
      <GroupMappingForm
        key={editing?.idpGroup ?? 'new'}
        profiles={view.profiles}
        editing={editing}
        onSaved={(next) => {
          setLatest(next);
          setEditing(null);
        }}
        onCancel={() => setEditing(null)}
      />
      <GroupMappingTable items={view.items} onEdit={setEditing} onChanged={setLatest} />
      <Text size="sm">
        A later <Code>gatehouse apply</Code> of a file without these mappings removes them: commit this fragment into the tenant&apos;s
        config file.
      </Text>
      <CopyBlock
        label="As configuration (YAML)"
        text={view.yaml}
        filename={`${me.tenant.slug}-groups.yaml`}
        mime="application/yaml"
        testId="groups-yaml"
      />
    </>
  );
}

export default function GroupMappingsPage() {
  return (
    <AdminPage
      title="Group mappings"
      intro="Which IdP groups get which role and which profiles. Applied through the same validation as gatehouse apply."
    >
      <GroupMappings />
    </AdminPage>
  );
}
