import { MigrationInterface, QueryRunner } from "typeorm";

export class TraceUserIndex1795645381660 implements MigrationInterface {
    name = 'TraceUserIndex1795645381660'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "IDX_5a4457be1b71fcd6b73518bcf5" ON "traces" ("tenant_id", "user_email", "created_at", "id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_5a4457be1b71fcd6b73518bcf5"`);
    }

}
