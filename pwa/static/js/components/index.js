/* Every component: its data-module hook and how to load it, in the order startAll starts
 * them. Narration comes first: Question drives the narration it finds on its page. A page
 * loads only the components whose hooks it has (a first visit to the home page needs one of
 * eleven), so each is imported when used. A Node test checks this list against the
 * data-module hooks in pwa/templates and each loader against its class's moduleName. */

export const COMPONENTS = [
  { moduleName: 'narration', load: async () => (await import('./narration.js')).Narration },
  { moduleName: 'error-summary', load: async () => (await import('./error-summary.js')).ErrorSummary },
  { moduleName: 'offline', load: async () => (await import('./offline.js')).Offline },
  { moduleName: 'offline-result', load: async () => (await import('./offline-result.js')).OfflineResult },
  { moduleName: 'question', load: async () => (await import('./question.js')).Question },
  { moduleName: 'session-player', load: async () => (await import('./player.js')).Player },
  { moduleName: 'session-plans', load: async () => (await import('./plans.js')).Plans },
  { moduleName: 'session-feedback', load: async () => (await import('./feedback.js')).Feedback },
  { moduleName: 'session-feedback-saved', load: async () => (await import('./feedback.js')).FeedbackSaved },
  { moduleName: 'session-history', load: async () => (await import('./session-history.js')).SessionHistory },
  { moduleName: 'summary-reader', load: async () => (await import('./summary-reader.js')).SummaryReader },
];
