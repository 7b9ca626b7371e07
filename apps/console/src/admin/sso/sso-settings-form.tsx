'use client';

import { Code, Group, SegmentedControl, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { AdminForm } from '../admin-form';
import { useAction } from '../use-action';
import type { SsoSettingsView, SsoView } from './sso-types';

type Source = 'metadata' | 'fields';

/**
 * Edits the tenant's IdP: paste the IdP's metadata XML, or give entity id, SSO URL and certificate.
 * The API stores certificates but shows only fingerprints, so a change by fields re-enters them.
 */
export function SsoSettingsForm({
  current,
  onSaved,
}: {
  current: SsoSettingsView | null;
  onSaved: (view: SsoView, changed: boolean) => void;
}) {
  const me = useMe();
  const [source, setSource] = useState<Source>('metadata');
  const [metadataXml, setMetadataXml] = useState('');
  const [idpEntityId, setIdpEntityId] = useState(current?.idpEntityId ?? '');
  const [entryPoint, setEntryPoint] = useState(current?.entryPoint ?? '');
  const [certificate, setCertificate] = useState('');
  const [logoutUrl, setLogoutUrl] = useState(current?.logoutUrl ?? '');
  const [email, setEmail] = useState(current?.emailAttribute ?? 'email');
  const [displayName, setDisplayName] = useState(current?.displayNameAttribute ?? 'displayName');
  const [groups, setGroups] = useState(current?.groupsAttribute ?? 'groups');
  const [allowIdpInitiated, setAllowIdpInitiated] = useState(current?.allowIdpInitiated ?? false);
  const action = useAction();

  const body = () => {
    const common = { attributes: { email, displayName, groups }, allowIdpInitiated };
    if (source === 'metadata') return { metadataXml, ...common };
    return { idpEntityId, entryPoint, certificates: [certificate], logoutUrl: logoutUrl.trim() || null, ...common };
  };

  const save = async () => {
    const out = await api<SsoView & { changed: boolean }>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/sso`, {
      method: 'PUT',
      csrfToken: me.csrfToken,
      body: JSON.stringify(body()),
    });
    onSaved({ settings: out.settings, serviceProvider: out.serviceProvider }, out.changed);
  };

  return (
    <AdminForm
      id="idp-title"
      title="Your IdP"
      action={action}
      onSubmit={save}
      submitLabel="Save SSO settings"
      errorTitle="The SSO settings were not saved"
    >
      {current ? (
        <Text size="sm" data-testid="idp-current">
          Now: <Code>{current.idpEntityId}</Code> at <Code>{current.entryPoint}</Code>, certificate {current.idpCertificates.join(', ')}.
        </Text>
      ) : (
        <Text size="sm">No IdP configured: nobody can sign in to this tenant through SSO yet.</Text>
      )}
      <SegmentedControl
        value={source}
        onChange={(v) => setSource(v as Source)}
        data={[
          { value: 'metadata', label: 'Paste IdP metadata XML' },
          { value: 'fields', label: 'Enter fields' },
        ]}
        w="fit-content"
      />
      {source === 'metadata' ? (
        <Textarea
          label="IdP metadata XML"
          required
          autosize
          minRows={4}
          maxRows={12}
          value={metadataXml}
          onChange={(e) => setMetadataXml(e.currentTarget.value)}
        />
      ) : (
        <>
          <TextInput label="IdP entity ID" required value={idpEntityId} onChange={(e) => setIdpEntityId(e.currentTarget.value)} />
          <TextInput label="IdP SSO URL" required value={entryPoint} onChange={(e) => setEntryPoint(e.currentTarget.value)} />
          <Textarea
            label="IdP signing certificate (PEM)"
            description="Re-enter it: the current one is shown as a fingerprint only."
            required
            autosize
            minRows={3}
            value={certificate}
            onChange={(e) => setCertificate(e.currentTarget.value)}
          />
          <TextInput label="IdP logout URL" value={logoutUrl} onChange={(e) => setLogoutUrl(e.currentTarget.value)} />
        </>
      )}
      <Group wrap="wrap">
        <TextInput label="Email attribute" value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        <TextInput label="Display name attribute" value={displayName} onChange={(e) => setDisplayName(e.currentTarget.value)} />
        <TextInput label="Groups attribute" value={groups} onChange={(e) => setGroups(e.currentTarget.value)} />
      </Group>
      <Switch
        label="Allow IdP-initiated sign-in (unsolicited responses)"
        checked={allowIdpInitiated}
        onChange={(e) => setAllowIdpInitiated(e.currentTarget.checked)}
      />
    </AdminForm>
  );
}
