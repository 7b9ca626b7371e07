import { MigrationInterface, QueryRunner } from "typeorm";

export class CallLimits1795632798251 implements MigrationInterface {
    name = 'CallLimits1795632798251'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "limit_settings" ("tenant_id" uuid NOT NULL, "tenant_rate" jsonb, "user_rate" jsonb, "tool_rates" jsonb NOT NULL DEFAULT '[]', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_67390817c9f1ad3c54f7b3f527a" PRIMARY KEY ("tenant_id"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "limit_settings"`);
    }

}
