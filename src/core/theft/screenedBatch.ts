import type { EndpointParsed } from '../records/endpoint/endpointEvent';
import { countByReason, type Reject } from '../records/reject';
import { TheftScreen, type ScreenedEvents, type TheftDetectionSummary, type TheftDetectorConfig } from './detectTheft';
import type { TheftBatchSummary } from './theftBatchSummary';

/**
 * One theft batch's parser outcomes, screened one at a time as the parser hands them on: the
 * counts, the parse rejects (in record order) and the candidates (see TheftScreen), which is all
 * the stateful half of the detector and the batch summary read. The events the rules and
 * allowlists clear, nearly all endpoint telemetry, are kept nowhere: held until the whole batch had
 * been parsed, they were most of what garbage collection copied per record.
 */
export class ScreenedBatch {
  private recordCount = 0;
  private parsed = 0;
  private readonly formats: Record<string, number> = {};
  private readonly ignored: Record<string, number> = {};
  private readonly rejects: Reject[] = [];
  private readonly screen: TheftScreen;

  constructor(config: TheftDetectorConfig) {
    this.screen = new TheftScreen(config);
  }

  add(outcome: EndpointParsed): void {
    this.recordCount++;
    if (outcome.ok === true) {
      this.parsed++;
      const format = outcome.value.source.format;
      this.formats[format] = (this.formats[format] ?? 0) + 1;
      this.screen.add(outcome.value);
    } else if (outcome.ok === false) this.rejects.push(outcome.reject);
    else this.ignored[outcome.kind] = (this.ignored[outcome.kind] ?? 0) + 1;
  }

  /** Records added, whatever became of them. */
  get records(): number {
    return this.recordCount;
  }

  /** Events by telemetry format, in the order the formats first appeared. */
  byFormat(): Record<string, number> {
    return { ...this.formats };
  }

  /** The parse rejects, in record order. */
  parseRejects(): readonly Reject[] {
    return this.rejects;
  }

  screened(): ScreenedEvents {
    return this.screen.screened();
  }

  /** The batch's summary line, once the detector has judged the candidates. */
  summary(detection: TheftDetectionSummary): TheftBatchSummary {
    return { records: this.recordCount, parsed: this.parsed, ignored: { ...this.ignored }, rejected: countByReason(this.rejects), detection };
  }
}
