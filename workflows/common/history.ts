/** Whether a long-lived flow should continue as new: its history is past `maxEvents` or Temporal suggests it. */
export function shouldContinueAsNew(info: { historyLength: number; continueAsNewSuggested: boolean }, maxEvents: number): boolean {
  return info.continueAsNewSuggested || info.historyLength >= maxEvents;
}
