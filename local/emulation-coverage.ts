/**
 * What of the synthesized app the offline runtime does not run. Every resource type it meets is
 * either emulated, emulated in part, or not at all; the start prints one line naming the last
 * two kinds (with how many of each and why), so nothing falls back silently: a template that
 * gains a new type (an SNS subscription, a bucket) is named at the next start instead of being
 * ignored.
 */
import type { LocalAssembly } from './types';

/** Why a type is not (fully) run offline; `part` types are served, with the gap named. */
interface Gap {
  readonly extent: 'part' | 'none';
  readonly why: string;
}

/** The types a module of local/ serves in full, as far as the app's templates use them. */
const EMULATED = new Set([
  'AWS::DynamoDB::Table',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::SQS::Queue',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::Events::Archive',
  'AWS::StepFunctions::StateMachine',
  'AWS::SecretsManager::Secret',
  'AWS::SSM::Parameter',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::Model',
]);

const PERMISSIONS: Gap = { extent: 'none', why: 'permissions are not enforced' };

/** Known gaps, by type; a type in neither table is unknown to the runtime and named as such. */
export const GAPS: Readonly<Record<string, Gap>> = {
  'AWS::ApiGateway::Method': { extent: 'part', why: 'Lambda proxy and MOCK integrations only, no authorizers or API keys' },
  'AWS::ApiGateway::Stage': { extent: 'part', why: 'throttling only, no access logs, caching or tracing' },
  'AWS::ApiGateway::RequestValidator': { extent: 'part', why: 'bodies are validated against their models, request parameters are not' },
  'AWS::CloudWatch::Alarm': { extent: 'none', why: 'no metrics: alarms never fire' },
  'AWS::CloudWatch::Dashboard': { extent: 'none', why: 'no metrics: dashboards are not served' },
  'AWS::Logs::LogGroup': { extent: 'none', why: 'function logs go to the console' },
  'AWS::SNS::Topic': { extent: 'none', why: 'nothing is published or delivered' },
  'AWS::IAM::Role': PERMISSIONS,
  'AWS::IAM::Policy': PERMISSIONS,
  'AWS::IAM::ManagedPolicy': PERMISSIONS,
  'AWS::Lambda::Permission': PERMISSIONS,
  'AWS::SQS::QueuePolicy': PERMISSIONS,
  'AWS::SNS::TopicPolicy': PERMISSIONS,
};

const UNKNOWN: Gap = { extent: 'none', why: 'unknown to the offline runtime' };

/** The start's line: the types the assembly declares that are not run offline, or only in part; undefined when every type is emulated. */
export function emulationGapsNotice(assembly: Pick<LocalAssembly, 'resources'>): string | undefined {
  const counts = new Map<string, number>();
  for (const { type } of assembly.resources) if (!EMULATED.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  // One clause per reason, in the order: unknown types first (the likeliest surprise), then none, then part.
  const clauses = new Map<string, { gap: Gap; types: string[] }>();
  for (const type of [...counts.keys()].sort()) {
    const gap = GAPS[type] ?? UNKNOWN;
    const key = `${gap.extent}:${gap.why}`;
    const clause = clauses.get(key) ?? { gap, types: [] };
    clause.types.push(`${type} ×${counts.get(type)}`);
    clauses.set(key, clause);
  }
  const rank = (gap: Gap) => (gap === UNKNOWN ? 0 : gap.extent === 'none' ? 1 : 2);
  const ordered = [...clauses.values()].sort((a, b) => rank(a.gap) - rank(b.gap));
  const render = (extent: Gap['extent']) =>
    ordered.filter(({ gap }) => gap.extent === extent).map(({ gap, types }) => `${types.join(', ')} (${gap.why})`).join('; ');
  const none = render('none');
  const part = render('part');
  return ['not emulated offline:', none || 'nothing', ...(part ? ['| only in part:', part] : [])].join(' ');
}
