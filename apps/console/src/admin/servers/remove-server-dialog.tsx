'use client';

import { Button, Group, Modal, Text } from '@mantine/core';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { ErrorAlert } from '../admin-page';
import { useAction } from '../use-action';
import { serverPath, type ServerChangeView } from './server-types';

/**
 * Confirms and removes one server. The API refuses (409) while a profile, a call limit or a trace
 * rule still uses it and says which; that message is shown here as it comes.
 */
export function RemoveServerDialog({
  name,
  onRemoved,
  onClose,
}: {
  name: string | null;
  onRemoved: (view: ServerChangeView) => void;
  onClose: () => void;
}) {
  const me = useMe();
  const action = useAction();
  const close = () => {
    action.clearError();
    onClose();
  };

  const remove = async () => {
    if (name === null) return;
    await action.run(async () => {
      const view = await api<ServerChangeView>(serverPath(me.tenant.slug, name), { method: 'DELETE', csrfToken: me.csrfToken });
      onRemoved(view);
    });
  };

  return (
    <Modal opened={name !== null} onClose={close} title={`Remove server ${name ?? ''}?`}>
      <Text size="sm" mb="sm">
        Gateways disconnect from it at once. A later <code>gatehouse apply</code> of a file that still declares it adds it back: commit the
        YAML shown afterwards.
      </Text>
      <ErrorAlert error={action.error} title="The server was not removed" />
      <Group mt="sm">
        <Button color="red" loading={action.busy} onClick={() => void remove()}>
          Remove server
        </Button>
        <Button variant="default" onClick={close}>
          Cancel
        </Button>
      </Group>
    </Modal>
  );
}
