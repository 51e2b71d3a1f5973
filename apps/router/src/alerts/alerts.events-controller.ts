import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { BansChangedEvent, Subjects } from '@switchboard/contracts';
import { AlertDispatcher } from './alert-dispatcher.service';
import { AlertMonitors } from './alert-monitors.service';

/** Alerts from the bus: raised by any service (`alerts.raised.v1`) or found in announced bans. One router replica each. */
@Controller()
export class AlertsEventsController {
  constructor(
    private readonly dispatcher: AlertDispatcher,
    private readonly monitors: AlertMonitors,
  ) {}

  @EventPattern(Subjects.AlertRaised)
  alertRaised(@Payload() payload: unknown) {
    this.dispatcher.raise(payload);
  }

  @EventPattern(Subjects.RouterBansChanged)
  bansChanged(@Payload() payload: unknown) {
    const e = BansChangedEvent.safeParse(payload);
    if (e.success) void this.monitors.onBans(e.data);
  }
}
