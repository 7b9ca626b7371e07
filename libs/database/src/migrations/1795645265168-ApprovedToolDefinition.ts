import { MigrationInterface, QueryRunner } from "typeorm";

export class ApprovedToolDefinition1795645265168 implements MigrationInterface {
    name = 'ApprovedToolDefinition1795645265168'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "profile_tools" ADD "approved_definition" json`);
        await queryRunner.query(`ALTER TABLE "drift_events" ALTER COLUMN "new_definition" TYPE json USING "new_definition"::json`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "drift_events" ALTER COLUMN "new_definition" TYPE jsonb USING "new_definition"::jsonb`);
        await queryRunner.query(`ALTER TABLE "profile_tools" DROP COLUMN "approved_definition"`);
    }

}
