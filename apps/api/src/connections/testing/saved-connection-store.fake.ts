import type { ConnectionUser, SavedConnectionTest } from '@walbridge/contracts';
import type { SavedConnectionEntity, SavedConnectionRepository, TaskEntity } from '@walbridge/persistence';

/** Only for unit specs: the saved_connection table as a map; users are read from the task rows given. */
export function fakeSavedConnections(taskRows: Map<string, TaskEntity> = new Map()) {
  const rows = new Map<string, SavedConnectionEntity>();
  const repo = {
    insert: async (c: Omit<SavedConnectionEntity, 'createdAt' | 'updatedAt' | 'lastTest'>) => {
      const row = { ...c, lastTest: null, createdAt: new Date(), updatedAt: new Date() };
      rows.set(c.id, row);
      return { ...row };
    },
    list: async () => [...rows.values()],
    findById: async (id: string) => (rows.has(id) ? { ...rows.get(id)! } : null),
    nameTaken: async (name: string, exceptId?: string) => [...rows.values()].some((c) => c.name.toLowerCase() === name.toLowerCase() && c.id !== exceptId),
    update: async (id: string, patch: Partial<SavedConnectionEntity>) => void rows.set(id, { ...rows.get(id)!, ...patch, updatedAt: new Date() }),
    recordTest: async (id: string, lastTest: SavedConnectionTest) => void rows.set(id, { ...rows.get(id)!, lastTest }),
    delete: async (id: string) => rows.delete(id),
    usersOf: async (ids: string[]) => {
      const users = new Map<string, ConnectionUser[]>(ids.map((id) => [id, []]));
      for (const task of taskRows.values()) {
        if (task.status === 'DELETED') continue;
        const config = task.config as { source?: { connectionId?: string }; destination?: { connectionId?: string } };
        for (const ref of new Set([config.source?.connectionId, config.destination?.connectionId])) {
          users.get(ref ?? '')?.push({ id: task.id, name: task.name, status: task.status });
        }
      }
      return users;
    },
  };
  return { repo: repo as unknown as SavedConnectionRepository, rows };
}
