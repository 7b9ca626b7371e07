import { MigrationInterface, QueryRunner } from "typeorm";

export class ApprovedToolDefinition1795645265168 implements MigrationInterface {
    name = 'ApprovedToolDefinition1795645265168'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "profile_tools" ADD "approved_definition" jsonb`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "profile_tools" DROP COLUMN "approved_definition"`);
    }

}
