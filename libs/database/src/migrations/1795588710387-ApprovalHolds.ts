import { MigrationInterface, QueryRunner } from "typeorm";

export class ApprovalHolds1795588710387 implements MigrationInterface {
    name = 'ApprovalHolds1795588710387'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "approval_settings" ("tenant_id" uuid NOT NULL, "timeout_seconds" integer NOT NULL DEFAULT '600', "approver_role" text NOT NULL DEFAULT 'approver', "webhook_url" text, "webhook_secret" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6ff061f03c4bb656295de36898d" PRIMARY KEY ("tenant_id"))`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "request"`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "requester_email" text NOT NULL`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "client_name" text`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "client_version" text`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "session_id" text`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "tenant_slug" text NOT NULL`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "profile" text NOT NULL`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "profile_tool_id" uuid NOT NULL`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "exposed_tool" text NOT NULL`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "server" text NOT NULL`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "upstream_tool" text NOT NULL`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "arguments" jsonb NOT NULL`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "policy_reason" text NOT NULL`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "decider_email" text`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "execution" text`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "executed_by" text`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "executed_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "execution_error" text`);
        await queryRunner.query(`CREATE INDEX "IDX_3fc592e9572fcc4fefebaa1d77" ON "approvals" ("status", "expires_at") `);
        await queryRunner.query(`ALTER TABLE "approval_settings" ADD CONSTRAINT "FK_6ff061f03c4bb656295de36898d" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "approval_settings" DROP CONSTRAINT "FK_6ff061f03c4bb656295de36898d"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_3fc592e9572fcc4fefebaa1d77"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "execution_error"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "executed_at"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "executed_by"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "execution"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "decider_email"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "policy_reason"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "arguments"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "upstream_tool"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "server"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "exposed_tool"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "profile_tool_id"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "profile"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "tenant_slug"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "session_id"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "client_version"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "client_name"`);
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "requester_email"`);
        await queryRunner.query(`ALTER TABLE "approvals" ADD "request" jsonb NOT NULL`);
        await queryRunner.query(`DROP TABLE "approval_settings"`);
    }

}
