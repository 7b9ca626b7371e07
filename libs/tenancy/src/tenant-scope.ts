import type { EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';

/**
 * The one place tenant scoping happens. Every read and write of tenant-owned rows goes through a
 * `TenantScope`, which stamps `tenantId` into each where-clause and each saved row, so an unscoped
 * query has to be written by hand against the raw manager — easy to spot in review.
 */
export class TenantScope {
  constructor(
    readonly manager: EntityManager,
    readonly tenantId: string,
  ) {
    if (!tenantId) throw new Error('TenantScope requires a tenant id');
  }

  private where<T extends ObjectLiteral>(where: FindOptionsWhere<T> = {}): FindOptionsWhere<T> {
    return { ...where, tenantId: this.tenantId } as FindOptionsWhere<T>;
  }

  find<T extends ObjectLiteral>(entity: EntityTarget<T>, where?: FindOptionsWhere<T>, order?: Record<string, 'ASC' | 'DESC'>): Promise<T[]> {
    return this.manager.find(entity, { where: this.where(where), ...(order ? { order: order as never } : {}) });
  }

  findOne<T extends ObjectLiteral>(entity: EntityTarget<T>, where: FindOptionsWhere<T>): Promise<T | null> {
    return this.manager.findOne(entity, { where: this.where(where) });
  }

  create<T extends ObjectLiteral>(entity: EntityTarget<T>, values: Omit<Partial<T>, 'tenantId'>): T {
    return this.manager.create(entity, { ...values, tenantId: this.tenantId } as never);
  }

  save<T extends ObjectLiteral>(entity: EntityTarget<T>, row: T): Promise<T> {
    if ((row as { tenantId?: string }).tenantId !== this.tenantId) {
      throw new Error('refusing to save a row that belongs to another tenant');
    }
    return this.manager.save(entity, row);
  }

  async delete<T extends ObjectLiteral>(entity: EntityTarget<T>, where: FindOptionsWhere<T>): Promise<number> {
    const result = await this.manager.delete(entity, this.where(where));
    return result.affected ?? 0;
  }

  withManager(manager: EntityManager): TenantScope {
    return new TenantScope(manager, this.tenantId);
  }
}
