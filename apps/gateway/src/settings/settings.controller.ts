import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { APP_CONFIG, appVersion, effectiveSettings, type AppConfig, type SettingsView } from '@switchboard/config';
import { AdminAuthGuard } from '../admin/admin-auth.guard';

/**
 * `GET /api/settings`: the configuration this gateway runs with, for the console's settings page and for an operator
 * checking what a deployment picked up. Admin only; credentials are masked by `effectiveSettings`.
 */
@Controller('api')
@UseGuards(AdminAuthGuard)
export class SettingsController {
  private readonly startedAt = new Date();
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('settings')
  settings(): SettingsView {
    return {
      version: appVersion(),
      mode: this.config.mode,
      service: this.config.service,
      node: process.version,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      settings: effectiveSettings(this.config),
    };
  }
}
