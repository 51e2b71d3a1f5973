/** The budget fields of the user, token and group forms (merged into the console dictionary by i18n/messages.ts). */
export const budgetEn = {
  'budget.legend': 'Budget',
  'budget.enabled': 'Spend cap per period',
  'budget.hint': 'Requests are refused once the period has spent it; it resets at the start of each period (UTC)',
  'budget.amount': 'Amount (USD)',
  'budget.period': 'Period',
  'budget.period.day': 'Day',
  'budget.period.week': 'Week (from Monday)',
  'budget.period.month': 'Calendar month',
  'budget.softLimit': 'Soft limit (USD)',
  'budget.softLimitHint': 'Raises a budget_reached alert once per period',
  'budget.spent': 'Spent {spent} of {amount} this period; resets {resets}',
};

export const budgetZh: Record<keyof typeof budgetEn, string> = {
  'budget.legend': '预算',
  'budget.enabled': '按周期限制花费',
  'budget.hint': '本周期花费达到预算后拒绝请求；每个周期开始时（UTC）重置',
  'budget.amount': '金额（美元）',
  'budget.period': '周期',
  'budget.period.day': '天',
  'budget.period.week': '周（从周一起）',
  'budget.period.month': '自然月',
  'budget.softLimit': '软限制（美元）',
  'budget.softLimitHint': '每个周期触发一次 budget_reached 告警',
  'budget.spent': '本周期已花费 {spent} / {amount}；重置于 {resets}',
};
