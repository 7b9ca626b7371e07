import { MigrationInterface, QueryRunner } from "typeorm";

export class Scanning1795635422981 implements MigrationInterface {
    name = 'Scanning1795635422981'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "scan_settings" ("tenant_id" uuid NOT NULL, "mode" text NOT NULL, "profile_modes" jsonb NOT NULL DEFAULT '{}', "allow_hosts" jsonb NOT NULL DEFAULT '[]', "disabled_rules" jsonb NOT NULL DEFAULT '[]', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0c4214bab95f5912547c046a2bc" PRIMARY KEY ("tenant_id"))`);
        await queryRunner.query(`ALTER TABLE "traces" ADD "scan" jsonb`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "traces" DROP COLUMN "scan"`);
        await queryRunner.query(`DROP TABLE "scan_settings"`);
    }

}
