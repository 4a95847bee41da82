/* Every component, in the order createAll starts them. Narration comes first: Question
 * drives the narration it finds on its page. A Node test checks this list against the
 * data-module hooks in pwa/templates. */

import { ErrorSummary } from './error-summary.js';
import { Feedback, FeedbackSaved } from './feedback.js';
import { Narration } from './narration.js';
import { Offline } from './offline.js';
import { OfflineResult } from './offline-result.js';
import { Plans } from './plans.js';
import { Player } from './player.js';
import { Question } from './question.js';
import { SessionHistory } from './session-history.js';
import { SummaryReader } from './summary-reader.js';

export const COMPONENTS = [
  Narration,
  ErrorSummary,
  Offline,
  OfflineResult,
  Question,
  Player,
  Plans,
  Feedback,
  FeedbackSaved,
  SessionHistory,
  SummaryReader,
];
