import type { AlertChannel } from '@switchboard/db';
import type { AlertChannels, AlertChannelData } from './alert-channel.repository';

/** An in-memory AlertChannels for the dispatcher's tests. */
export class MemoryAlertChannels implements AlertChannels {
  rows: AlertChannel[] = [];
  deliveries: { id: number; error: string | null }[] = [];
  private next = 1;

  add(data: Partial<AlertChannelData> & Pick<AlertChannelData, 'type' | 'target' | 'events'>): AlertChannel {
    const now = new Date();
    const row: AlertChannel = {
      id: this.next++,
      name: `c${this.next}`,
      secret: null,
      previousSecret: null,
      previousSecretUntil: null,
      enabled: true,
      lastDeliveryAt: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      ...data,
    };
    this.rows.push(row);
    return row;
  }
  all = async () => this.rows;
  subscribedTo = async (event: string) => this.rows.filter((r) => r.enabled && r.events.includes(event));
  find = async (id: number) => this.rows.find((r) => r.id === id) ?? null;
  create = async (data: AlertChannelData) => this.add(data);
  update = async (id: number, data: Partial<AlertChannelData>) => Object.assign((await this.find(id))!, data);
  delete = async (id: number) => void (this.rows = this.rows.filter((r) => r.id !== id));
  recordDelivery = async (id: number, _at: Date, error: string | null) => void this.deliveries.push({ id, error });
}
