import { MigrationInterface, QueryRunner } from "typeorm";

export class ServiceSecrets1795627782014 implements MigrationInterface {
    name = 'ServiceSecrets1795627782014'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "service_secrets" ("name" text NOT NULL, "secret" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_99379a4cd9a65c72298f97e213b" PRIMARY KEY ("name"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "service_secrets"`);
    }

}
