import { MigrationInterface, QueryRunner } from "typeorm";

export class UpstreamOAuth1795630387849 implements MigrationInterface {
    name = 'UpstreamOAuth1795630387849'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mcp_servers" ADD "oauth" jsonb`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mcp_servers" DROP COLUMN "oauth"`);
    }

}
