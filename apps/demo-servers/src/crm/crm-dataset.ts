/**
 * The CRM demo's data: a `users` and an `orders` table held in memory.
 *
 * Rows are generated from short name lists rather than pasted in, so the
 * dataset is deterministic (same rows in every process) without a fixture
 * file to keep in sync. Cell values are strings or numbers only, which keeps
 * the toy WHERE matcher and the output schema simple.
 */
export type CellValue = string | number;
export type Row = Record<string, CellValue>;

export const PLANS = ['free', 'pro', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

const FIRST_NAMES = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'Ken',
  'Margaret',
  'Dennis',
  'Radia',
  'Tim',
  'Hedy',
  'Linus',
  'Katherine',
  'John',
  'Sophie',
  'Guido',
  'Anita',
  'Bjarne',
];
const LAST_NAMES = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Hamilton',
  'Ritchie',
  'Perlman',
  'Berners-Lee',
  'Lamarr',
  'Torvalds',
  'Johnson',
  'McCarthy',
  'Wilson',
  'van Rossum',
  'Borg',
  'Stroustrup',
];
const PRODUCTS = ['Starter seat', 'Team seat', 'Audit add-on', 'SSO add-on', 'Support plan'];
const ORDER_STATUSES = ['paid', 'paid', 'paid', 'refunded', 'pending'];

export const CRM_COLUMNS = {
  users: ['id', 'email', 'name', 'plan', 'created_at'],
  orders: ['id', 'user_id', 'product', 'amount_cents', 'status', 'created_at'],
} as const;

export type CrmTableName = keyof typeof CRM_COLUMNS;

export function isCrmTable(name: string): name is CrmTableName {
  return Object.prototype.hasOwnProperty.call(CRM_COLUMNS, name);
}

function isoDay(base: Date, offsetDays: number): string {
  return new Date(base.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

function seedUsers(): Row[] {
  const start = new Date('2024-01-08T00:00:00Z');
  return FIRST_NAMES.map((first, index) => {
    const last = LAST_NAMES[index];
    return {
      id: index + 1,
      email: `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + '@example.com',
      name: `${first} ${last}`,
      plan: PLANS[index % PLANS.length],
      created_at: isoDay(start, index * 11),
    };
  });
}

function seedOrders(userCount: number): Row[] {
  const start = new Date('2024-03-01T00:00:00Z');
  return Array.from({ length: 40 }, (_, index) => ({
    id: 1001 + index,
    user_id: ((index * 7) % userCount) + 1,
    product: PRODUCTS[index % PRODUCTS.length],
    amount_cents: 1900 + ((index * 1300) % 25000),
    status: ORDER_STATUSES[index % ORDER_STATUSES.length],
    created_at: isoDay(start, index * 5),
  }));
}

/** One process's CRM data. Every MCP server instance built for this process shares it. */
export class CrmDataset {
  private readonly tables: Record<CrmTableName, Row[]>;

  constructor() {
    const users = seedUsers();
    this.tables = { users, orders: seedOrders(users.length) };
  }

  rows(table: CrmTableName): readonly Row[] {
    return this.tables[table];
  }

  /** Returns the updated user, or undefined when no user has that email. */
  updateUserPlan(email: string, plan: Plan): Row | undefined {
    const user = this.tables.users.find((row) => row.email === email.toLowerCase());
    if (user === undefined) return undefined;
    user.plan = plan;
    return { ...user };
  }
}
