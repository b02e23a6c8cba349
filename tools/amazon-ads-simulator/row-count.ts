import { activityRoll, type ReportPlan } from "./data";

// How many rows a report has, without building them: for the benchmark's truth on thousands of profiles.

/**
 * Rows of a DAILY, campaign-level, unfiltered report: one per (day up to the profile's today, campaign) with
 * activity, the same test the row generator makes (campaign 0 always active, others not on ~1 day in 10).
 */
export function dailyCampaignRowCount(plan: ReportPlan): number {
  const lastDay = Math.min(plan.endDay, plan.lastDataDay);
  const campaigns = plan.account.campaigns;
  const identity = plan.account.identity;
  let rows = 0;
  for (let day = plan.startDay; day <= lastDay; day++) {
    if (campaigns > 0) rows++;
    for (let index = 1; index < campaigns; index++) {
      if (activityRoll(identity, index, day) !== 0) rows++;
    }
  }
  return rows;
}
