"""T21–T26: service, payment, deferral, overdue, compulsory execution."""

from __future__ import annotations

from dataclasses import replace

from ..commands import (
    ApproveDeferral,
    ConfirmPayment,
    MarkOverdue,
    RecordCashHandover,
    RecordExecution,
    ServeDecision,
    ServeReminder,
    StartEnforcement,
    StartPayment,
)
from ..common_guards import require_lawful_execution_time
from ..context import GuardContext
from ..deadlines import (
    Deadline,
    DeadlineKind,
    DeadlineUnit,
    court_application_window,
    court_reminder_period,
    payment_deadline,
    service_deadline,
)
from ..enums import CaseState, CashStage, EnforcementRoute, ServiceMethod
from ..money import format_yuan
from ..records import Deferral, Enforcement, Payment, Service
from ..rules import check
from ..snapshot import CaseSnapshot
from ..surcharge import compute_surcharge
from ..transition import Transition
from .base import Handler, advance, day_of, moved, require_state
from .intake import closure_due


def serve_decision(case: CaseSnapshot | None, cmd: ServeDecision, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.DECIDED, CaseState.NO_PENALTY_DECIDED})
    day = day_of(cmd)
    if cmd.method is ServiceMethod.ELECTRONIC:
        check(bool(cmd.consent_doc_id), "T21.electronic_consent",
              "electronic service needs the party's signed consent form (确认书)")
    decided_on = case.decision.decided_on if case.decision else case.no_penalty.decided_on if case.no_penalty else day
    if not cmd.on_spot:
        due = service_deadline(ctx.calendar, ctx.config, decided_on=decided_on)
        check(due.is_met_by(day), "T21.served_within_7wd",
              f"served on {day}, after the 7 wd period ending {due.due}")
    after = moved(case, CaseState.SERVED, service=Service(cmd.method, day, cmd.on_spot, cmd.consent_doc_id))
    deadlines = (closure_due(ctx, day),) if case.no_penalty is not None else ()
    return advance(case, after, cmd, transition="T21", summary=f"served ({cmd.method.value})",
                   deadlines=deadlines)


def start_payment(case: CaseSnapshot | None, cmd: StartPayment, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.SERVED})
    decision = case.decision
    check(decision is not None and decision.proposal.monetary_fen > 0, "T22.monetary_penalty",
          "only a monetary penalty opens a payment period")
    assert decision is not None
    assert case.service is not None
    due = payment_deadline(ctx.calendar, ctx.config, served_on=case.service.served_on)
    if cmd.decision_due is not None:
        check(cmd.decision_due <= due.due, "T22.payment_within_15_days",
              f"the decision's due date {cmd.decision_due} is later than the statutory {due.due}")
    payment = Payment(decision.proposal.monetary_fen, due, due.due)
    return advance(case, moved(case, CaseState.PERFORMING, payment=payment), cmd, transition="T22",
                   summary=f"pay {format_yuan(payment.amount_due_fen)} by {due.due}", deadlines=(due,))


def approve_deferral(case: CaseSnapshot | None, cmd: ApproveDeferral, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.PERFORMING, CaseState.OVERDUE})
    check(cmd.applied_on is not None, "T22a.party_application", "deferral needs the party's application")
    check(bool(cmd.approved_by), "T22a.agency_approval", "deferral needs the agency's approval")
    assert case.payment is not None
    assert cmd.applied_on is not None
    day = day_of(cmd)
    deferral = Deferral(cmd.applied_on, day, cmd.approved_by, cmd.new_due, cmd.instalments)
    payment = replace(case.payment, due=cmd.new_due, deferrals=(*case.payment.deferrals, deferral))
    due = Deadline(DeadlineKind.PAYMENT, "《行政处罚法》第六十六条第二款", DeadlineUnit.CALENDAR_DAYS,
                   (cmd.new_due - day).days, day, cmd.new_due)
    return advance(case, moved(case, CaseState.PERFORMING, payment=payment), cmd, transition="T22a",
                   summary=f"deferral to {cmd.new_due}", deadlines=(due,))


def confirm_payment(case: CaseSnapshot | None, cmd: ConfirmPayment, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.SERVED, CaseState.PERFORMING, CaseState.OVERDUE})
    day = day_of(cmd)
    if case.state is CaseState.SERVED:
        # A served decision without money to pay (e.g. a warning) is performed on service.
        check(case.decision is not None and case.decision.proposal.monetary_fen == 0, "T22.monetary_penalty",
              "a monetary penalty is paid through its payment period")
        return advance(case, moved(case, CaseState.PERFORMED, performed_on=day), cmd, transition="T23",
                       summary="performed", deadlines=(closure_due(ctx, day),))
    payment = case.payment
    assert payment is not None
    assert case.decision is not None
    surcharge = compute_surcharge(fine_fen=case.decision.proposal.fine_fen, due=payment.original_due.due,
                                  as_of=day, pauses=case.surcharge_pauses())
    owed = payment.amount_due_fen + surcharge.amount_fen
    paid = payment.paid_fen + cmd.amount_fen
    check(paid >= owed, "T23.paid_in_full",
          f"paid {format_yuan(paid)} of {format_yuan(owed)} (surcharge {format_yuan(surcharge.amount_fen)})")
    updated = replace(payment, paid_fen=paid, paid_on=day, receipts=(*payment.receipts, cmd.receipt_no))
    return advance(case, moved(case, CaseState.PERFORMED, payment=updated, performed_on=day), cmd,
                   transition="T23", summary=f"paid {format_yuan(paid)}", deadlines=(closure_due(ctx, day),))


def record_cash_handover(case: CaseSnapshot | None, cmd: RecordCashHandover, ctx: GuardContext) -> Transition:
    """A fact recorded when it happens: a late hand-over is accepted (and flagged by supervision rule S19b)."""
    case = require_state(case, cmd, {CaseState.PERFORMED, CaseState.CLOSED})
    payment = case.payment
    check(payment is not None and payment.on_spot and payment.paid_on is not None, "T23a.collected_on_the_spot",
          "only a fine collected on the spot is handed over to the agency and the bank")
    assert payment is not None
    assert payment.paid_on is not None
    day = day_of(cmd)
    if cmd.stage is CashStage.AGENCY:
        check(payment.cash_handed_on is None, "T23a.order", f"already handed to the agency on {payment.cash_handed_on}")
        check(day >= payment.paid_on, "T23a.order", f"handed over on {day}, before the collection on {payment.paid_on}")
        updated = replace(payment, cash_handed_on=day)
    else:
        check(payment.cash_handed_on is not None and payment.cash_banked_on is None, "T23a.order",
              "the cash is paid into the bank once, after the hand-over to the agency")
        assert payment.cash_handed_on is not None
        check(day >= payment.cash_handed_on, "T23a.order",
              f"banked on {day}, before the hand-over on {payment.cash_handed_on}")
        updated = replace(payment, cash_banked_on=day)
    return advance(case, replace(case, payment=updated), cmd, transition="T23a",
                   summary=f"cash {'handed to the agency' if cmd.stage is CashStage.AGENCY else 'paid into the bank'}"
                           f" on {day}")


def mark_overdue(case: CaseSnapshot | None, cmd: MarkOverdue, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.PERFORMING})
    assert case.payment is not None
    day = day_of(cmd)
    check(day > case.payment.due, "T24.due_date_passed", f"the payment is due on {case.payment.due}")
    check(not case.remedy_pending, "T24.not_paused", "a review or lawsuit is pending: no surcharge accrues")
    return advance(case, moved(case, CaseState.OVERDUE), cmd, transition="T24",
                   summary=f"overdue since {case.payment.due}")


def serve_reminder(case: CaseSnapshot | None, cmd: ServeReminder, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.OVERDUE})
    day = day_of(cmd)
    reminder = court_reminder_period(ctx.calendar, ctx.config, reminder_served_on=day)
    return advance(case, replace(case, reminder_served_on=day), cmd, transition="T25",
                   summary="催告书 served", deadlines=(reminder,))


def start_enforcement(case: CaseSnapshot | None, cmd: StartEnforcement, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.OVERDUE})
    day = day_of(cmd)
    check(case.reminder_served_on is not None and case.reminder_served_on <= day, "T25.reminder_served",
          "a written 催告 must be served before execution")
    assert case.reminder_served_on is not None
    assert case.payment is not None
    assert case.service is not None
    assert case.decision is not None
    deadlines: tuple[Deadline, ...] = ()
    if cmd.route is EnforcementRoute.OWN_POWER:
        body = ctx.require_body(case.body_id)
        check(body.has_execution_power, "T25.execution_power",
              f"{body.name} has no statutory execution power: apply to the court")
        surcharge = compute_surcharge(fine_fen=case.decision.proposal.fine_fen, due=case.payment.original_due.due,
                                      as_of=day, pauses=case.surcharge_pauses())
        minimum = ctx.config.execution.own_power_min_surcharge_days
        check(surcharge.accrued_days > minimum, "T25.surcharge_over_30_days",
              f"the surcharge has run {surcharge.accrued_days} days, more than {minimum} are needed")
        require_lawful_execution_time(ctx, cmd.at, urgent=cmd.urgent)
    else:
        deferral_end = max((d.new_due for d in case.payment.deferrals), default=None)
        window = court_application_window(ctx.config, served_on=case.service.served_on, deferral_end=deferral_end)
        check(day > window.start and not case.remedy_pending, "T25.remedy_periods_lapsed",
              f"the review/litigation periods run until {window.start}")
        reminder = court_reminder_period(ctx.calendar, ctx.config, reminder_served_on=case.reminder_served_on)
        check(day > reminder.due, "T25.reminder_10wd",
              f"the 催告书 period runs until {reminder.due}; apply after it")
        check(day <= window.due, "T25.within_3_months", f"the court application period ended {window.due}")
        deadlines = (window,)
    after = moved(case, CaseState.ENFORCING, enforcement=Enforcement(cmd.route, day))
    return advance(case, after, cmd, transition="T25", summary=f"enforcement by {cmd.route.value}",
                   deadlines=deadlines)


def record_execution(case: CaseSnapshot | None, cmd: RecordExecution, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.ENFORCING})
    assert case.enforcement is not None
    if case.enforcement.route is EnforcementRoute.OWN_POWER:
        require_lawful_execution_time(ctx, cmd.at, urgent=cmd.urgent)
    day = day_of(cmd)
    executed = replace(case.enforcement, executed_on=day, executed_at=cmd.at, urgent=cmd.urgent)
    after = moved(case, CaseState.PERFORMED, enforcement=executed, performed_on=day)
    return advance(case, after, cmd, transition="T26", summary="executed", deadlines=(closure_due(ctx, day),))


HANDLERS: dict[type, Handler] = {
    ServeDecision: serve_decision,
    StartPayment: start_payment,
    ApproveDeferral: approve_deferral,
    ConfirmPayment: confirm_payment,
    RecordCashHandover: record_cash_handover,
    MarkOverdue: mark_overdue,
    ServeReminder: serve_reminder,
    StartEnforcement: start_enforcement,
    RecordExecution: record_execution,
}
