import type { Redis } from 'ioredis';

export const CONFIG_CHANNEL = 'gatehouse:config-changed';

export interface ConfigChange {
  tenantId: string;
  reason: string;
}

/** Tells every gateway replica that a tenant's configuration changed. */
export async function publishConfigChange(redis: Redis, change: ConfigChange): Promise<void> {
  await redis.publish(CONFIG_CHANNEL, JSON.stringify(change));
}

/** Subscribes a dedicated connection (a subscribed ioredis client cannot run other commands). */
export async function subscribeConfigChanges(subscriber: Redis, onChange: (change: ConfigChange) => void): Promise<void> {
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== CONFIG_CHANNEL) return;
    try {
      onChange(JSON.parse(message) as ConfigChange);
    } catch {
      // A malformed message must not stop invalidation; treat it as "everything changed".
      onChange({ tenantId: '*', reason: 'unparseable invalidation message' });
    }
  });
  await subscriber.subscribe(CONFIG_CHANNEL);
}
