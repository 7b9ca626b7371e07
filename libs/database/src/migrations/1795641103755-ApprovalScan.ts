import { MigrationInterface, QueryRunner } from "typeorm";

export class ApprovalScan1795641103755 implements MigrationInterface {
    name = 'ApprovalScan1795641103755'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "approvals" ADD "scan" jsonb`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "approvals" DROP COLUMN "scan"`);
    }

}
