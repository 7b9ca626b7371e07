import { Controller, Get, HttpException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Public } from '../auth/access.decorator';

@Controller()
@Public()
export class HealthController {
  constructor(private readonly db: DataSource) {}

  @Get('healthz')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(): Promise<{ status: string }> {
    try {
      await this.db.query('SELECT 1');
      return { status: 'ready' };
    } catch (error) {
      throw new HttpException({ status: 'not_ready', reason: (error as Error).message }, 503);
    }
  }
}
