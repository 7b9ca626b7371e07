import { MigrationInterface, QueryRunner } from "typeorm";

export class TracePayloadPolicy1795629881416 implements MigrationInterface {
    name = 'TracePayloadPolicy1795629881416'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "trace_settings" ("tenant_id" uuid NOT NULL, "payloads" text NOT NULL DEFAULT 'full', "tool_rules" jsonb NOT NULL DEFAULT '[]', "retention_seconds" integer, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a6ab3c3cf5a568959a272bf3af6" PRIMARY KEY ("tenant_id"))`);
        await queryRunner.query(`ALTER TABLE "traces" ADD "payload_mode" text`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "payload_purged" boolean NOT NULL DEFAULT false`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "payload_purged"`);
        await queryRunner.query(`ALTER TABLE "traces" DROP COLUMN "payload_mode"`);
        await queryRunner.query(`DROP TABLE "trace_settings"`);
    }

}
