import { MigrationInterface, QueryRunner } from "typeorm";

export class OAuthAuthorizationServer1795575963229 implements MigrationInterface {
    name = 'OAuthAuthorizationServer1795575963229'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "oauth_clients" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "client_id" text NOT NULL, "client_name" text, "redirect_uris" text array NOT NULL, "metadata" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c4759172d3431bae6f04e678e0d" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_96f49bea5a6d6e6d40d900d718" ON "oauth_clients" ("tenant_id", "client_id") `);
        await queryRunner.query(`CREATE TABLE "oauth_refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "client_id" text NOT NULL, "family_id" uuid NOT NULL, "token_hash" text NOT NULL, "resource" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6051e97f5024636e53749cfdc80" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_f88e2e36d2bd85e52a09452396" ON "oauth_refresh_tokens" ("family_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_e670f36d6278d3f45fce07dbc2" ON "oauth_refresh_tokens" ("token_hash") `);
        await queryRunner.query(`CREATE TABLE "oauth_signing_keys" ("kid" text NOT NULL, "alg" text NOT NULL, "public_jwk" jsonb NOT NULL, "private_key_pem" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "retired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c8e0e251f213a0f7b7bd2563201" PRIMARY KEY ("kid"))`);
        await queryRunner.query(`ALTER TABLE "oauth_clients" ADD CONSTRAINT "FK_74abff294e8ab96ed7e41c058c9" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "oauth_refresh_tokens" ADD CONSTRAINT "FK_a7f0966fdf948cf9045ab88d479" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "oauth_refresh_tokens" DROP CONSTRAINT "FK_a7f0966fdf948cf9045ab88d479"`);
        await queryRunner.query(`ALTER TABLE "oauth_clients" DROP CONSTRAINT "FK_74abff294e8ab96ed7e41c058c9"`);
        await queryRunner.query(`DROP TABLE "oauth_signing_keys"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_e670f36d6278d3f45fce07dbc2"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_f88e2e36d2bd85e52a09452396"`);
        await queryRunner.query(`DROP TABLE "oauth_refresh_tokens"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_96f49bea5a6d6e6d40d900d718"`);
        await queryRunner.query(`DROP TABLE "oauth_clients"`);
    }

}
