import { MigrationInterface, QueryRunner } from "typeorm";

export class TelemetryExport1795631018505 implements MigrationInterface {
    name = 'TelemetryExport1795631018505'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "export_settings" ("tenant_id" uuid NOT NULL, "endpoint" text NOT NULL, "headers" jsonb NOT NULL DEFAULT '{}', "events" text array NOT NULL DEFAULT '{tool_calls,audit}', "payloads" text NOT NULL DEFAULT 'none', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_073c8b64f0ee655f3cbd10bbbdb" PRIMARY KEY ("tenant_id"))`);
        await queryRunner.query(`CREATE TABLE "telemetry_outbox" ("id" BIGSERIAL NOT NULL, "tenant_id" uuid NOT NULL, "kind" text NOT NULL, "source_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_48bf6dcc067bfd051d9487b2a7d" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_7f7f607fcd2ff23b394b75c45c" ON "telemetry_outbox" ("tenant_id", "id") `);
        await queryRunner.query(`ALTER TABLE "traces" ADD "upstream_start_ms" double precision`);
        await queryRunner.query(`ALTER TABLE "traces" ADD "upstream_ms" double precision`);
        // Hand-written: the outbox is filled by triggers, in the same transaction as the trace or
        // audit entry, so no exported record can be missed (the generator knows no triggers).
        await queryRunner.query(`CREATE FUNCTION gatehouse_outbox_trace() RETURNS trigger AS $$
          BEGIN
            IF NEW.status <> 'pending_approval' AND (TG_OP = 'INSERT' OR OLD.status = 'pending_approval')
               AND EXISTS (SELECT 1 FROM export_settings s WHERE s.tenant_id = NEW.tenant_id AND 'tool_calls' = ANY (s.events)) THEN
              INSERT INTO telemetry_outbox (tenant_id, kind, source_id) VALUES (NEW.tenant_id, 'tool_call', NEW.id);
            END IF;
            RETURN NEW;
          END $$ LANGUAGE plpgsql`);
        await queryRunner.query(`CREATE TRIGGER traces_telemetry_outbox AFTER INSERT OR UPDATE OF status ON traces FOR EACH ROW EXECUTE FUNCTION gatehouse_outbox_trace()`);
        await queryRunner.query(`CREATE FUNCTION gatehouse_outbox_audit() RETURNS trigger AS $$
          BEGIN
            IF EXISTS (SELECT 1 FROM export_settings s WHERE s.tenant_id = NEW.tenant_id AND 'audit' = ANY (s.events)) THEN
              INSERT INTO telemetry_outbox (tenant_id, kind, source_id) VALUES (NEW.tenant_id, 'audit', NEW.id);
            END IF;
            RETURN NEW;
          END $$ LANGUAGE plpgsql`);
        await queryRunner.query(`CREATE TRIGGER admin_audit_telemetry_outbox AFTER INSERT ON admin_audit_log FOR EACH ROW EXECUTE FUNCTION gatehouse_outbox_audit()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER admin_audit_telemetry_outbox ON admin_audit_log`);
        await queryRunner.query(`DROP FUNCTION gatehouse_outbox_audit()`);
        await queryRunner.query(`DROP TRIGGER traces_telemetry_outbox ON traces`);
        await queryRunner.query(`DROP FUNCTION gatehouse_outbox_trace()`);
        await queryRunner.query(`ALTER TABLE "traces" DROP COLUMN "upstream_ms"`);
        await queryRunner.query(`ALTER TABLE "traces" DROP COLUMN "upstream_start_ms"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_7f7f607fcd2ff23b394b75c45c"`);
        await queryRunner.query(`DROP TABLE "telemetry_outbox"`);
        await queryRunner.query(`DROP TABLE "export_settings"`);
    }

}
