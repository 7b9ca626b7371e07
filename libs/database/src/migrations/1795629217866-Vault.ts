import { MigrationInterface, QueryRunner } from "typeorm";

export class Vault1795629217866 implements MigrationInterface {
    name = 'Vault1795629217866'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "vault_data_keys" ("tenant_id" uuid NOT NULL, "master_key_id" text NOT NULL, "wrapped_key" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "rewrapped_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d391b0a1d2b98a4928c98c5f1aa" PRIMARY KEY ("tenant_id"))`);
        await queryRunner.query(`CREATE TABLE "vault_secrets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" text NOT NULL, "description" text, "sealed" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_by" text NOT NULL, CONSTRAINT "PK_a585b7c530e11915101b9e50286" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_49db3fa226651fd637b1eaa735" ON "vault_secrets" ("tenant_id", "name") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_49db3fa226651fd637b1eaa735"`);
        await queryRunner.query(`DROP TABLE "vault_secrets"`);
        await queryRunner.query(`DROP TABLE "vault_data_keys"`);
    }

}
