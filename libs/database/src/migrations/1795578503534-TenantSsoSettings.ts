import { MigrationInterface, QueryRunner } from "typeorm";

export class TenantSsoSettings1795578503534 implements MigrationInterface {
    name = 'TenantSsoSettings1795578503534'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "tenant_sso_settings" ("tenant_id" uuid NOT NULL, "idp_entity_id" text NOT NULL, "entry_point" text NOT NULL, "idp_certificates" text array NOT NULL, "logout_url" text, "email_attribute" text NOT NULL DEFAULT 'email', "display_name_attribute" text NOT NULL DEFAULT 'displayName', "groups_attribute" text NOT NULL DEFAULT 'groups', "allow_idp_initiated" boolean NOT NULL DEFAULT false, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_20df87c1179b7a6478d49b14c33" PRIMARY KEY ("tenant_id"))`);
        await queryRunner.query(`ALTER TABLE "tenant_sso_settings" ADD CONSTRAINT "FK_20df87c1179b7a6478d49b14c33" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tenant_sso_settings" DROP CONSTRAINT "FK_20df87c1179b7a6478d49b14c33"`);
        await queryRunner.query(`DROP TABLE "tenant_sso_settings"`);
    }

}
