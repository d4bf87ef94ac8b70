import { describe, expect, it } from 'vitest';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
  type EventPattern,
} from '../../local/eventbridge/event-pattern';

/**
 * Table tests for the offline EventBridge matcher. Patterns and events are taken from the Amazon
 * EventBridge User Guide; each row's comment names the guide section it comes from. Rows marked
 * "event-ruler" come from the aws/event-ruler README (the engine behind EventBridge) where the
 * guide states a rule without giving an example.
 */

interface MatchCase {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly event: unknown;
  readonly matches: boolean;
}

function runTable(cases: readonly MatchCase[]): void {
  it.each(cases)('$name', ({ pattern, event, matches }) => {
    expect(validateEventPattern(pattern)).toBe(pattern);
    expect(matchesEventPattern(pattern, event)).toBe(matches);
  });
}

// ---- Events from the guide ---------------------------------------------------------------------

// "Event patterns": the Amazon EC2 state-change event.
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

// "Matching null values and empty strings" / "Matching events on event field values".
const autoscalingEvent = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

// "Matching events on event field values" > "Value matching" (truncated Macie finding).
const macieEvent = {
  version: '0',
  id: '0948ba87-d3b8-c6d4-f2da-732a1example',
  'detail-type': 'Macie Finding',
  source: 'aws.macie',
  account: '123456789012',
  time: '2021-04-29T23:12:15Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    schemaVersion: '1.0',
    type: 'Policy:IAMUser/S3BucketEncryptionDisabled',
    severity: { score: 1, description: 'Low' },
    count: 2,
  },
};

// Content filtering examples use a running EC2 instance with counters (event-ruler README event).
function counters(detail: Record<string, unknown>): unknown {
  return {
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    time: '2017-10-02T16:24:49Z',
    detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', state: 'running', ...detail },
  };
}

function withDetail(detail: Record<string, unknown>): unknown {
  return { source: 'test-source', 'detail-type': 'test-detail-type', detail };
}

// ---- Field / value matching -------------------------------------------------------------------

describe('exact values, nesting, arrays, null and empty strings', () => {
  const ec2Termination: EventPattern = {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance State-change Notification'],
    detail: { state: ['terminated'] },
  };

  runTable([
    // Event patterns: the EC2 instance-termination pattern matches the sample event.
    { name: 'EC2 termination pattern matches', pattern: ec2Termination, event: ec2Event, matches: true },
    // Event patterns: a different state does not match.
    {
      name: 'EC2 termination pattern rejects a running instance',
      pattern: ec2Termination,
      event: { ...ec2Event, detail: { ...ec2Event.detail, state: 'running' } },
      matches: false,
    },
    // Creating event patterns: the event must contain every field named in the pattern.
    {
      name: 'a pattern field absent from the event does not match',
      pattern: { source: ['aws.ec2'], detail: { 'c-count': [5] } },
      event: ec2Event,
      matches: false,
    },
    // Creating event patterns: field names must appear with the same nesting structure.
    {
      name: 'same field at a different nesting level does not match',
      pattern: { state: ['terminated'] },
      event: ec2Event,
      matches: false,
    },
    // Matching event values: a pattern value array matches if any value matches.
    {
      name: 'source is either aws.ec2 or aws.fargate (fargate)',
      pattern: { source: ['aws.ec2', 'aws.fargate'] },
      event: { ...ec2Event, source: 'aws.fargate' },
      matches: true,
    },
    // Matching event values: none of the listed values.
    {
      name: 'source is either aws.ec2 or aws.fargate (s3)',
      pattern: { source: ['aws.ec2', 'aws.fargate'] },
      event: { ...ec2Event, source: 'aws.s3' },
      matches: false,
    },
    // Creating event patterns: exact character-by-character matching without case-folding.
    {
      name: 'string equality is case-sensitive',
      pattern: { 'detail-type': ['ec2 instance state-change notification'] },
      event: ec2Event,
      matches: false,
    },
    // Matching events on event field values > Field matching: responseElements is null.
    {
      name: 'autoscaling event with responseElements [null]',
      pattern: {
        source: ['aws.autoscaling'],
        'detail-type': ['EC2 Instance Launch Successful'],
        detail: { responseElements: [null] },
      },
      event: autoscalingEvent,
      matches: true,
    },
    // Matching events on event field values > Value matching: severity score 1 and count 2.
    {
      name: 'Macie finding with severity score 1 and count 2',
      pattern: {
        source: ['aws.macie'],
        'detail-type': ['Macie Finding'],
        detail: { severity: { score: [1] }, count: [2] },
      },
      event: macieEvent,
      matches: true,
    },
    // Matching events on event field values > Value matching: count differs.
    {
      name: 'Macie finding with a different count',
      pattern: { source: ['aws.macie'], detail: { severity: { score: [1] }, count: [3] } },
      event: macieEvent,
      matches: false,
    },
    // Creating event patterns: values follow JSON rules, so the string "1" is not the number 1.
    {
      name: 'string "1" does not match the number 1',
      pattern: { detail: { severity: { score: ['1'] } } },
      event: macieEvent,
      matches: false,
    },
    // Creating event patterns: the JSON keywords true/false are values.
    {
      name: 'boolean true matches true',
      pattern: { detail: { enabled: [true] } },
      event: withDetail({ enabled: true }),
      matches: true,
    },
    // Creating event patterns: the keyword true is not the string "true".
    {
      name: 'boolean true does not match the string "true"',
      pattern: { detail: { enabled: [true] } },
      event: withDetail({ enabled: 'true' }),
      matches: false,
    },
    // Null values and empty strings: eventVersion is an empty string.
    { name: 'empty string matches [""]', pattern: { detail: { eventVersion: [''] } }, event: autoscalingEvent, matches: true },
    // Null values and empty strings: responseElements is null.
    { name: 'null matches [null]', pattern: { detail: { responseElements: [null] } }, event: autoscalingEvent, matches: true },
    // Null values and empty strings: null and "" are not interchangeable.
    {
      name: '[""] does not match null',
      pattern: { detail: { responseElements: [''] } },
      event: autoscalingEvent,
      matches: false,
    },
    // Null values and empty strings: null and "" are not interchangeable.
    { name: '[null] does not match ""', pattern: { detail: { eventVersion: [null] } }, event: autoscalingEvent, matches: false },
    // Null values and empty strings: a missing field is not a null field.
    { name: '[null] does not match a missing field', pattern: { detail: { userId: [null] } }, event: autoscalingEvent, matches: false },
    // Comparison operators > Empty: LastName is empty.
    { name: 'LastName is empty', pattern: { LastName: [''] }, event: { LastName: '' }, matches: true },
    // Comparison operators > Null: UserID is null.
    { name: 'UserID is null', pattern: { UserID: [null] }, event: { UserID: null }, matches: true },
    // Arrays: the intersection of the pattern array and the event array is non-empty.
    {
      name: 'resources intersect',
      pattern: {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
        ],
      },
      event: {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
      matches: true,
    },
    // Arrays: disjoint arrays do not match.
    {
      name: 'resources do not intersect',
      pattern: { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] },
      event: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
      matches: false,
    },
    // Arrays: an empty event array has no value to intersect, not even null.
    { name: 'empty event array does not match [null]', pattern: { resources: [null] }, event: autoscalingEvent, matches: false },
    // Arrays (event-ruler "Simple matching"): a scalar pattern value matches one element of an event array.
    {
      name: 'event array field matches if any element matches',
      pattern: { detail: { state: ['running'] } },
      event: withDetail({ state: ['initializing', 'running'] }),
      matches: true,
    },
    // Arrays (event-ruler "JSON Array Matching"): objects inside arrays are matched element by element.
    {
      name: 'array of objects: one element has the value',
      pattern: { detail: { employees: { firstName: ['Anna'] } } },
      event: withDetail({ employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }] }),
      matches: true,
    },
    // Arrays (event-ruler "JSON Array Matching"): fields from different elements are not combined.
    {
      name: 'array of objects: fields from different elements do not combine',
      pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
      event: withDetail({
        employees: [
          { firstName: 'Anna', lastName: 'Smith' },
          { firstName: 'Peter', lastName: 'Jones' },
        ],
      }),
      matches: false,
    },
    // Exists matching: matching works on leaf nodes, so a value list never matches an object.
    {
      name: 'value list against an object-valued field does not match',
      pattern: { detail: ['terminated'] },
      event: ec2Event,
      matches: false,
    },
    // Comparison operators > And: Location is "New York" and Day is "Monday".
    {
      name: 'And: both fields match',
      pattern: { Location: ['New York'], Day: ['Monday'] },
      event: { Location: 'New York', Day: 'Monday' },
      matches: true,
    },
    // Comparison operators > And: one field differs.
    {
      name: 'And: one field differs',
      pattern: { Location: ['New York'], Day: ['Monday'] },
      event: { Location: 'New York', Day: 'Tuesday' },
      matches: false,
    },
    // Comparison operators > Or: PaymentType is "Credit" or "Debit".
    { name: 'Or: PaymentType Debit', pattern: { PaymentType: ['Credit', 'Debit'] }, event: { PaymentType: 'Debit' }, matches: true },
  ]);
});

// ---- Prefix / suffix / equals-ignore-case ----------------------------------------------------

describe('prefix', () => {
  runTable([
    // Content filtering > Prefix matching: time starts with 2017-10-02.
    {
      name: 'time starts with 2017-10-02',
      pattern: { time: [{ prefix: '2017-10-02' }] },
      event: { time: '2017-10-02T18:43:48Z' },
      matches: true,
    },
    // Content filtering > Prefix matching: a different day.
    {
      name: 'time on another day',
      pattern: { time: [{ prefix: '2017-10-02' }] },
      event: { time: '2017-10-03T18:43:48Z' },
      matches: false,
    },
    // Comparison operators > Begins with: Region is in the US.
    { name: 'Region us-east-1 begins with us-', pattern: { Region: [{ prefix: 'us-' }] }, event: { Region: 'us-east-1' }, matches: true },
    // Comparison operators > Begins with: Region is not in the US.
    { name: 'Region eu-west-1 does not begin with us-', pattern: { Region: [{ prefix: 'us-' }] }, event: { Region: 'eu-west-1' }, matches: false },
    // Content filtering > Prefix matching: prefix matching is for string values only.
    { name: 'prefix does not match a number', pattern: { year: [{ prefix: '20' }] }, event: { year: 2017 }, matches: false },
    // Creating event patterns: without equals-ignore-case the prefix is case-sensitive.
    {
      name: 'plain prefix is case-sensitive',
      pattern: { detail: { service: [{ prefix: 'EventB' }] } },
      event: withDetail({ service: 'eventbridge' }),
      matches: false,
    },
    // Content filtering > Prefix matching while ignoring case: EVENTB.
    {
      name: 'prefix ignoring case: EVENTBRIDGE',
      pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      event: withDetail({ service: 'EVENTBRIDGE' }),
      matches: true,
    },
    // Content filtering > Prefix matching while ignoring case: eventb.
    {
      name: 'prefix ignoring case: eventbus',
      pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      event: withDetail({ service: 'eventbus' }),
      matches: true,
    },
    // Content filtering > Prefix matching while ignoring case: different letters.
    {
      name: 'prefix ignoring case: SQS',
      pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      event: withDetail({ service: 'SQS' }),
      matches: false,
    },
  ]);
});

describe('suffix', () => {
  runTable([
    // Content filtering > Suffix matching: FileName ends with .png.
    { name: 'FileName ends with .png', pattern: { FileName: [{ suffix: '.png' }] }, event: { FileName: 'image.png' }, matches: true },
    // Content filtering > Suffix matching: another extension.
    { name: 'FileName ends with .jpg', pattern: { FileName: [{ suffix: '.png' }] }, event: { FileName: 'image.jpg' }, matches: false },
    // Content filtering > Suffix matching: plain suffix is case-sensitive.
    { name: 'plain suffix is case-sensitive', pattern: { FileName: [{ suffix: '.png' }] }, event: { FileName: 'IMAGE.PNG' }, matches: false },
    // Content filtering > Suffix matching while ignoring case: .PNG.
    {
      name: 'suffix ignoring case: .PNG',
      pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      event: withDetail({ FileName: 'IMAGE.PNG' }),
      matches: true,
    },
    // Content filtering > Suffix matching while ignoring case: another extension.
    {
      name: 'suffix ignoring case: .gif',
      pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      event: withDetail({ FileName: 'image.gif' }),
      matches: false,
    },
    // Comparison operators > Ends with (ignore case): service ends with tBridge.
    {
      name: 'service ends with tbridge in any case',
      pattern: { service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] },
      event: { service: 'EVENTBRIDGE' },
      matches: true,
    },
    // Content filtering > Suffix matching: suffix matching is for string values only.
    { name: 'suffix does not match a number', pattern: { code: [{ suffix: '0' }] }, event: { code: 200 }, matches: false },
  ]);
});

describe('equals-ignore-case', () => {
  runTable([
    // Comparison operators > Equals (ignore case): Name is "Alice".
    { name: 'alice equals Alice', pattern: { Name: [{ 'equals-ignore-case': 'alice' }] }, event: { Name: 'Alice' }, matches: true },
    // Comparison operators > Equals (ignore case): any casing.
    { name: 'alice equals ALICE', pattern: { Name: [{ 'equals-ignore-case': 'alice' }] }, event: { Name: 'ALICE' }, matches: true },
    // Comparison operators > Equals (ignore case): still a whole-value comparison.
    { name: 'alice does not equal Alicia', pattern: { Name: [{ 'equals-ignore-case': 'alice' }] }, event: { Name: 'Alicia' }, matches: false },
    // Comparison operators > Equals (ignore case): only strings.
    { name: 'equals-ignore-case does not match a number', pattern: { Name: [{ 'equals-ignore-case': '1' }] }, event: { Name: 1 }, matches: false },
  ]);
});

// ---- Wildcards --------------------------------------------------------------------------------

describe('wildcard', () => {
  const busArn: EventPattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
  const pngInDir: EventPattern = { FileName: [{ wildcard: 'dir/*.png' }] };

  runTable([
    // Comparison operators > Wildcard: any .png file located within the folder "dir".
    { name: 'dir/*.png matches dir/image.png', pattern: pngInDir, event: { FileName: 'dir/image.png' }, matches: true },
    // Wildcards: * matches any number of characters, including "/".
    { name: 'dir/*.png matches dir/sub/image.png', pattern: pngInDir, event: { FileName: 'dir/sub/image.png' }, matches: true },
    // Wildcards: * also matches zero characters.
    { name: 'dir/*.png matches dir/.png', pattern: pngInDir, event: { FileName: 'dir/.png' }, matches: true },
    // Wildcards: literal text around the wildcard must still match.
    { name: 'dir/*.png rejects other/image.png', pattern: pngInDir, event: { FileName: 'other/image.png' }, matches: false },
    // Wildcards: literal text around the wildcard must still match.
    { name: 'dir/*.png rejects dir/image.jpg', pattern: pngInDir, event: { FileName: 'dir/image.jpg' }, matches: false },
    // Wildcards: several wildcards in one ARN.
    {
      name: 'event bus ARN in us-east-1',
      pattern: busArn,
      event: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' },
      matches: true,
    },
    // Wildcards: several wildcards in one ARN, wrong Region.
    {
      name: 'event bus ARN in us-west-2',
      pattern: busArn,
      event: { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/orders' },
      matches: false,
    },
    // Wildcards: "*Title*" matches values that include Title.
    { name: '*Title* matches Title in the middle', pattern: { name: [{ wildcard: '*Title*' }] }, event: { name: 'A Title Here' }, matches: true },
    // Wildcards: a repeated path segment after the wildcard.
    {
      name: 'repeating segments after a wildcard',
      pattern: { FileName: [{ wildcard: '/Users/*/dir/dir/dir/doc.txt' }] },
      event: { FileName: '/Users/ls_user/dir/dir/dir/dir/dir/doc.txt' },
      matches: true,
    },
    // Wildcards: escape * with a backslash to match a literal asterisk.
    { name: 'escaped \\* matches a literal star', pattern: { name: [{ wildcard: 'file\\*.txt' }] }, event: { name: 'file*.txt' }, matches: true },
    // Wildcards: an escaped * is not a wildcard.
    { name: 'escaped \\* is not a wildcard', pattern: { name: [{ wildcard: 'file\\*.txt' }] }, event: { name: 'file1.txt' }, matches: false },
    // Wildcards: \\ is a literal backslash, so the following * is a wildcard again.
    { name: 'escaped backslash then wildcard', pattern: { path: [{ wildcard: 'C:\\\\*' }] }, event: { path: 'C:\\temp' }, matches: true },
    // Wildcards: wildcard matching applies to string values only.
    { name: 'wildcard does not match a number', pattern: { size: [{ wildcard: '*' }] }, event: { size: 5 }, matches: false },
  ]);
});

// ---- anything-but -----------------------------------------------------------------------------

describe('anything-but', () => {
  runTable([
    // Content filtering > Anything-but matching: a string.
    {
      name: 'state anything but initializing (running)',
      pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
      event: withDetail({ state: 'running' }),
      matches: true,
    },
    // Content filtering > Anything-but matching: the excluded string.
    {
      name: 'state anything but initializing (initializing)',
      pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
      event: withDetail({ state: 'initializing' }),
      matches: false,
    },
    // Content filtering > Anything-but matching: a number.
    {
      name: 'x-limit anything but 123 (456)',
      pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
      event: withDetail({ 'x-limit': 456 }),
      matches: true,
    },
    // Content filtering > Anything-but matching: the excluded number.
    {
      name: 'x-limit anything but 123 (123)',
      pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
      event: withDetail({ 'x-limit': 123 }),
      matches: false,
    },
    // Content filtering > Anything-but matching: a list of strings.
    {
      name: 'state anything but stopped/overloaded (running)',
      pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      event: withDetail({ state: 'running' }),
      matches: true,
    },
    // Content filtering > Anything-but matching: a listed string.
    {
      name: 'state anything but stopped/overloaded (stopped)',
      pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      event: withDetail({ state: 'stopped' }),
      matches: false,
    },
    // Content filtering > Anything-but matching: a list of numbers.
    {
      name: 'x-limit anything but 100/200/300 (301.8)',
      pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      event: withDetail({ 'x-limit': 301.8 }),
      matches: true,
    },
    // Content filtering > Anything-but matching: a listed number.
    {
      name: 'x-limit anything but 100/200/300 (200)',
      pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      event: withDetail({ 'x-limit': 200 }),
      matches: false,
    },
    // Content filtering > Anything-but matching: not the prefix "init".
    {
      name: 'state without prefix init (running)',
      pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      event: withDetail({ state: 'running' }),
      matches: true,
    },
    // Content filtering > Anything-but matching: has the prefix "init".
    {
      name: 'state without prefix init (initializing)',
      pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      event: withDetail({ state: 'initializing' }),
      matches: false,
    },
    // Comparison operators > Anything-but (begins with): Region is not in the US.
    {
      name: 'Region not in the US (us-east-1)',
      pattern: { Region: [{ 'anything-but': { prefix: 'us-' } }] },
      event: { Region: 'us-east-1' },
      matches: false,
    },
    // Comparison operators > Anything-but (ends with): FileName does not end with .png.
    {
      name: 'FileName not ending in .png (report.pdf)',
      pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      event: { FileName: 'report.pdf' },
      matches: true,
    },
    // Comparison operators > Anything-but (ends with): it does end with .png.
    {
      name: 'FileName not ending in .png (image.png)',
      pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      event: { FileName: 'image.png' },
      matches: false,
    },
    // Comparison operators > Anything-but (ignore case): INITIALIZING is a casing of initializing.
    {
      name: 'state anything but initializing ignoring case (INITIALIZING)',
      pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      event: { state: 'INITIALIZING' },
      matches: false,
    },
    // Content filtering > Anything-but matching: equals-ignore-case with a list.
    {
      name: 'state anything but Stopped/OverLoaded ignoring case (pending)',
      pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
      event: withDetail({ state: 'pending' }),
      matches: true,
    },
    // Content filtering > Anything-but matching: equals-ignore-case with a list, excluded value.
    {
      name: 'state anything but Stopped/OverLoaded ignoring case (stopped)',
      pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
      event: withDetail({ state: 'stopped' }),
      matches: false,
    },
    // Comparison operators > Anything-but using a wildcard: path without /lib/.
    {
      name: 'FilePath not under /lib/ (/usr/bin/tool)',
      pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      event: { FilePath: '/usr/bin/tool' },
      matches: true,
    },
    // Comparison operators > Anything-but using a wildcard: path includes /lib/.
    {
      name: 'FilePath not under /lib/ (/usr/lib/tool)',
      pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      event: { FilePath: '/usr/lib/tool' },
      matches: false,
    },
    // Content filtering > Anything-but matching: wildcard with a list.
    {
      name: 'FilePath not under /lib/ or /bin/ (/usr/bin/tool)',
      pattern: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] },
      event: { FilePath: '/usr/bin/tool' },
      matches: false,
    },
    // Creating event patterns: every pattern field must be present, anything-but included.
    {
      name: 'anything-but does not match a missing field',
      pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
      event: withDetail({ other: 'x' }),
      matches: false,
    },
    // Null values: null is a value, and it is not "initializing".
    {
      name: 'anything-but matches a null value',
      pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
      event: withDetail({ state: null }),
      matches: true,
    },
    // Anything-but matching: a number is never a string starting with "init".
    {
      name: 'anything-but prefix matches a number',
      pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      event: withDetail({ state: 12 }),
      matches: true,
    },
    // Arrays: an array field matches if any element matches, so one non-excluded element suffices.
    {
      name: 'anything-but on an array with one allowed element',
      pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      event: withDetail({ state: ['stopped', 'running'] }),
      matches: true,
    },
    // Arrays: no element survives the exclusion.
    {
      name: 'anything-but on an array where every element is excluded',
      pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      event: withDetail({ state: ['stopped', 'overloaded'] }),
      matches: false,
    },
  ]);
});

// ---- numeric ----------------------------------------------------------------------------------

describe('numeric', () => {
  const counterPattern: EventPattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };

  runTable([
    // Content filtering > Numeric matching: every field satisfies its range.
    { name: 'c-count 5, d-count 3, x-limit 301.8', pattern: counterPattern, event: counters({}), matches: true },
    // Content filtering > Numeric matching: ">" 0 excludes 0.
    { name: 'c-count 0 is not > 0', pattern: counterPattern, event: counters({ 'c-count': 0 }), matches: false },
    // Content filtering > Numeric matching: "<=" 5 excludes 6.
    { name: 'c-count 6 is not <= 5', pattern: counterPattern, event: counters({ 'c-count': 6 }), matches: false },
    // Content filtering > Numeric matching: "<" 10 excludes 10.
    { name: 'd-count 10 is not < 10', pattern: counterPattern, event: counters({ 'd-count': 10 }), matches: false },
    // Content filtering > Numeric matching: only JSON numbers match, not numeric strings.
    { name: 'c-count "5" (a string) does not match', pattern: counterPattern, event: counters({ 'c-count': '5' }), matches: false },
    // Comparison operators > Numeric (equals): Price is 100.
    { name: 'Price = 100 (100)', pattern: { Price: [{ numeric: ['=', 100] }] }, event: { Price: 100 }, matches: true },
    // Comparison operators > Numeric (equals): 100.5 is not 100.
    { name: 'Price = 100 (100.5)', pattern: { Price: [{ numeric: ['=', 100] }] }, event: { Price: 100.5 }, matches: false },
    // Comparison operators > Numeric (range): Price is more than 10 and at most 20.
    { name: 'Price in (10, 20] (20)', pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] }, event: { Price: 20 }, matches: true },
    // Comparison operators > Numeric (range): the open lower bound.
    { name: 'Price in (10, 20] (10)', pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] }, event: { Price: 10 }, matches: false },
    // Numeric matching: ">=" includes the bound.
    { name: 'Price >= 10 (10)', pattern: { Price: [{ numeric: ['>=', 10] }] }, event: { Price: 10 }, matches: true },
    // Arrays + Numeric matching: one element in range is enough.
    { name: 'numeric on an array field', pattern: { sizes: [{ numeric: ['<', 10] }] }, event: { sizes: [50, 3] }, matches: true },
    // Content filtering > Complex example with multiple matching.
    {
      name: 'complex example: prefix, anything-but, numeric',
      pattern: {
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': 'initializing' }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ 'anything-but': [100, 200, 300] }],
        },
      },
      event: counters({}),
      matches: true,
    },
    // Content filtering > Complex example with multiple matching: state is excluded.
    {
      name: 'complex example with an initializing instance',
      pattern: {
        time: [{ prefix: '2017-10-02' }],
        detail: { state: [{ 'anything-but': 'initializing' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
      },
      event: counters({ state: 'initializing' }),
      matches: false,
    },
  ]);
});

// ---- cidr -------------------------------------------------------------------------------------

describe('cidr', () => {
  const tenDotZero: EventPattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
  const v6Block: EventPattern = { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } };

  runTable([
    // Content filtering > IP address matching: 10.0.0.x with x between 0 and 255.
    { name: '10.0.0.255 is in 10.0.0.0/24', pattern: tenDotZero, event: withDetail({ sourceIPAddress: '10.0.0.255' }), matches: true },
    // Content filtering > IP address matching: another /24.
    { name: '10.0.1.1 is not in 10.0.0.0/24', pattern: tenDotZero, event: withDetail({ sourceIPAddress: '10.0.1.1' }), matches: false },
    // Content filtering > IP address matching: only string addresses match.
    { name: 'a number is not an IP address', pattern: tenDotZero, event: withDetail({ sourceIPAddress: 123 }), matches: false },
    // Content filtering > IP address matching: a malformed address does not match.
    { name: 'a malformed address does not match', pattern: tenDotZero, event: withDetail({ sourceIPAddress: '10.0.0.256' }), matches: false },
    // Content filtering > IP address matching: IPv6 in expanded form.
    {
      name: 'IPv6 address inside a /64',
      pattern: v6Block,
      event: withDetail({ sourceIPAddress: '2001:0db8:1234:1a00:0000:0000:0000:0001' }),
      matches: true,
    },
    // Content filtering > IP address matching: IPv6 outside the block.
    { name: 'IPv6 address outside a /64', pattern: v6Block, event: withDetail({ sourceIPAddress: '2001:db8:1234:1b00::1' }), matches: false },
    // Content filtering > IP address matching: families do not mix.
    { name: 'IPv4 address against an IPv6 block', pattern: v6Block, event: withDetail({ sourceIPAddress: '10.0.0.1' }), matches: false },
    // event-ruler "Complex example": source-ip in 10.0.0.0/8.
    {
      name: 'source-ip in 10.0.0.0/8',
      pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } },
      event: counters({}),
      matches: true,
    },
  ]);
});

// ---- exists -----------------------------------------------------------------------------------

describe('exists', () => {
  const stateExists: EventPattern = { detail: { state: [{ exists: true }] } };
  const cCountMissing: EventPattern = { detail: { 'c-count': [{ exists: false }] } };
  const pendingInstance = {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2015-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
  };
  const nestedCCount = {
    'detail-type': 'EC2 Instance State-change Notification',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
    detail: { 'c-count': { c1: 100 } },
  };

  runTable([
    // Content filtering > Exists matching: the event has detail.state.
    { name: 'detail.state exists', pattern: stateExists, event: pendingInstance, matches: true },
    // Content filtering > Exists matching: no detail.state field.
    { name: 'detail.state missing', pattern: stateExists, event: nestedCCount, matches: false },
    // Content filtering > Exists matching: no detail.c-count field.
    { name: 'c-count absent matches exists:false', pattern: cCountMissing, event: pendingInstance, matches: true },
    // Content filtering > Exists matching: c-count is an object, not a leaf, so it "does not exist".
    { name: 'object-valued c-count matches exists:false', pattern: cCountMissing, event: nestedCCount, matches: true },
    // Exists matching only works on leaf nodes: exists:true does not match an intermediate node.
    {
      name: 'object-valued c-count does not match exists:true',
      pattern: { detail: { 'c-count': [{ exists: true }] } },
      event: nestedCCount,
      matches: false,
    },
    // Content filtering > Exists matching: a leaf c-count is present.
    { name: 'leaf c-count does not match exists:false', pattern: cCountMissing, event: counters({}), matches: false },
    // Comparison operators > Exists: ProductName exists.
    { name: 'ProductName exists', pattern: { ProductName: [{ exists: true }] }, event: { ProductName: 'Widget' }, matches: true },
    // Comparison operators > Does not exist: ProductName does not exist.
    { name: 'ProductName does not exist', pattern: { ProductName: [{ exists: false }] }, event: { Price: 1 }, matches: true },
    // Null values: null is a value, so the field exists.
    { name: 'null-valued field exists', pattern: { ProductName: [{ exists: true }] }, event: { ProductName: null }, matches: true },
    // Arrays: an empty array holds no leaf value.
    { name: 'empty array does not exist', pattern: { tags: [{ exists: true }] }, event: { tags: [] }, matches: false },
    // Exists matching: a missing intermediate branch means the leaf is absent.
    {
      name: 'exists:false under a missing branch',
      pattern: { detail: { level1: { level2: { level3: [{ exists: false }] } } } },
      event: withDetail({ level1: { other: 'value' } }),
      matches: true,
    },
    // Arrays + Exists matching: one element of an array of objects has the field.
    {
      name: 'exists:true inside an array of objects',
      pattern: { detail: { automations: { id: [{ exists: true }] } } },
      event: withDetail({ automations: [{ key1: 'value1' }, { id: 'present' }] }),
      matches: true,
    },
    // Matching event values: a value list is an OR, so anything-but OR exists:false.
    {
      name: 'anything-but or exists:false on a missing field',
      pattern: { detail: { homemade: [{ 'anything-but': ['roses'] }, { exists: false }] } },
      event: withDetail({ purchased: 789 }),
      matches: true,
    },
  ]);
});

// ---- $or --------------------------------------------------------------------------------------

describe('$or', () => {
  const locationOrDay: EventPattern = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
  const detailOr: EventPattern = {
    detail: {
      $or: [
        { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
        { 'd-count': [{ numeric: ['<', 10] }] },
        { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
      ],
    },
  };
  const metricOr: EventPattern = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  };
  const nestedOr: EventPattern = {
    source: ['aws.cloudwatch'],
    $or: [
      { metricName: ['CPUUtilization', 'ReadLatency'] },
      {
        metricType: ['MetricType'],
        namespace: ['AWS/EC2', 'AWS/ES'],
        $or: [{ metricId: [1234] }, { spaceId: [1000] }],
      },
      { scope: ['Service'] },
    ],
  };

  runTable([
    // Comparison operators > Or: Location is "New York", or Day is "Monday".
    { name: 'Location or Day: Day matches', pattern: locationOrDay, event: { Location: 'Boston', Day: 'Monday' }, matches: true },
    // Comparison operators > Or: neither field matches.
    { name: 'Location or Day: neither', pattern: locationOrDay, event: { Location: 'Boston', Day: 'Tuesday' }, matches: false },
    // Content filtering > Complex example with $or matching: d-count < 10.
    { name: '$or inside detail: d-count matches', pattern: detailOr, event: withDetail({ 'c-count': 0, 'd-count': 0, 'x-limit': 901.8 }), matches: true },
    // Content filtering > Complex example with $or matching: no alternative matches.
    { name: '$or inside detail: none match', pattern: detailOr, event: withDetail({ 'c-count': 0, 'd-count': 10, 'x-limit': 901.8 }), matches: false },
    // $or matching: source AND (metricName OR namespace).
    {
      name: 'source and namespace',
      pattern: metricOr,
      event: { source: 'aws.cloudwatch', metricName: 'NetworkIn', namespace: 'AWS/EC2' },
      matches: true,
    },
    // $or matching: the AND part fails.
    {
      name: 'wrong source with a matching namespace',
      pattern: metricOr,
      event: { source: 'aws.ec2', namespace: 'AWS/EC2' },
      matches: false,
    },
    // $or matching: nested $or inside an alternative (And inside Or inside And).
    {
      name: 'nested $or: metricType, namespace and metricId',
      pattern: nestedOr,
      event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES', metricId: 1234 },
      matches: true,
    },
    // $or matching: nested $or where the inner alternatives all fail.
    {
      name: 'nested $or: inner alternatives fail',
      pattern: nestedOr,
      event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES', metricId: 1, spaceId: 1 },
      matches: false,
    },
  ]);
});

// ---- This project's events --------------------------------------------------------------------

// ---- Where other emulators part from AWS ------------------------------------------------------

// Local emulators have been reported to differ from EventBridge on these (e.g. localstack#12148:
// an empty prefix stopped matching); each row states what AWS does.
describe('where emulators differ from AWS', () => {
  runTable([
    // Stack Overflow 62406933 / localstack#12148: an empty prefix is the usual "match every event".
    { name: 'empty prefix matches any source', pattern: { source: [{ prefix: '' }] }, event: { source: 'commerce.orders' }, matches: true },
    { name: 'empty prefix matches an empty string', pattern: { detail: { note: [{ prefix: '' }] } }, event: withDetail({ note: '' }), matches: true },
    { name: 'empty prefix does not match a number', pattern: { detail: { total: [{ prefix: '' }] } }, event: withDetail({ total: 12 }), matches: false },
    { name: 'empty prefix does not match a missing field', pattern: { detail: { note: [{ prefix: '' }] } }, event: withDetail({}), matches: false },
    { name: 'empty suffix matches any string', pattern: { detail: { note: [{ suffix: '' }] } }, event: withDetail({ note: 'x' }), matches: true },
    // Comparison operators > Anything-but (begins with), with a list of prefixes.
    {
      name: 'anything-but a list of prefixes: none applies',
      pattern: { detail: { state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] } },
      event: withDetail({ state: 'running' }),
      matches: true,
    },
    {
      name: 'anything-but a list of prefixes: the second applies',
      pattern: { detail: { state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] } },
      event: withDetail({ state: 'stopped' }),
      matches: false,
    },
    {
      name: 'anything-but a list of suffixes: one applies',
      pattern: { FileName: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] },
      event: { FileName: 'photo.jpg' },
      matches: false,
    },
    // anything-but with a list of values never matches a value in it, whatever the list order.
    { name: 'anything-but a list: a listed value', pattern: { detail: { status: [{ 'anything-but': ['PAID', 'PLACED'] }] } }, event: withDetail({ status: 'PLACED' }), matches: false },
    // Null values: [null] matches null only, exists:false does not match a null-valued field.
    { name: 'exists:false does not match a null-valued field', pattern: { detail: { reason: [{ exists: false }] } }, event: withDetail({ reason: null }), matches: false },
    { name: 'exists:false matches a missing field', pattern: { detail: { reason: [{ exists: false }] } }, event: withDetail({}), matches: true },
    { name: 'exists:false in $or with a value', pattern: { $or: [{ detail: { reason: [{ exists: false }] } }, { detail: { reason: ['timeout'] } }] }, event: withDetail({ reason: 'timeout' }), matches: true },
    { name: '$or: neither alternative', pattern: { $or: [{ detail: { reason: [{ exists: false }] } }, { detail: { reason: ['timeout'] } }] }, event: withDetail({ reason: 'declined' }), matches: false },
    { name: '$or with [null]: a null value', pattern: { $or: [{ detail: { reason: [null] } }, { detail: { code: [500] } }] }, event: withDetail({ reason: null }), matches: true },
  ]);
});

describe('commerce events', () => {
  function orderEvent(detailType: string, source = 'commerce.orders'): unknown {
    return {
      version: '0',
      id: '5f1c8a3e-0000-4000-8000-000000000001',
      source,
      'detail-type': detailType,
      account: '000000000000',
      time: '2025-01-01T12:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: {
        metadata: {
          eventId: '01JH0000000000000000000000',
          correlationId: '01JH0000000000000000000001',
          occurredAt: '2025-01-01T12:00:00.000Z',
          version: 1,
        },
        data: {
          orderId: 'ord_123',
          customerId: 'cus_456',
          total: 59.9,
          currency: 'EUR',
          items: [
            { sku: 'SKU-RED-M', quantity: 1 },
            { sku: 'SKU-BLUE-L', quantity: 2 },
          ],
        },
      },
    };
  }
  const orderLifecycle: EventPattern = { source: ['commerce.orders'], 'detail-type': ['OrderConfirmed', 'OrderCancelled'] };

  runTable([
    { name: 'OrderConfirmed from commerce.orders', pattern: orderLifecycle, event: orderEvent('OrderConfirmed'), matches: true },
    { name: 'OrderCancelled from commerce.orders', pattern: orderLifecycle, event: orderEvent('OrderCancelled'), matches: true },
    { name: 'OrderShipped is not subscribed', pattern: orderLifecycle, event: orderEvent('OrderShipped'), matches: false },
    {
      name: 'OrderConfirmed from another source',
      pattern: orderLifecycle,
      event: orderEvent('OrderConfirmed', 'commerce.payments'),
      matches: false,
    },
    {
      name: 'schema version 1 or later',
      pattern: { ...orderLifecycle, detail: { metadata: { version: [{ numeric: ['>=', 1] }] } } },
      event: orderEvent('OrderConfirmed'),
      matches: true,
    },
    {
      name: 'correlation id is present',
      pattern: { source: ['commerce.orders'], detail: { metadata: { correlationId: [{ exists: true }] } } },
      event: orderEvent('OrderConfirmed'),
      matches: true,
    },
    {
      name: 'metadata is an object, so exists:true on it does not match',
      pattern: { source: ['commerce.orders'], detail: { metadata: [{ exists: true }] } },
      event: orderEvent('OrderConfirmed'),
      matches: false,
    },
    {
      name: 'large orders only',
      pattern: { 'detail-type': ['OrderConfirmed'], detail: { data: { total: [{ numeric: ['>', 100] }] } } },
      event: orderEvent('OrderConfirmed'),
      matches: false,
    },
    {
      name: 'orders containing a blue item',
      pattern: { 'detail-type': ['OrderConfirmed'], detail: { data: { items: { sku: [{ wildcard: 'SKU-BLUE-*' }] } } } },
      event: orderEvent('OrderConfirmed'),
      matches: true,
    },
  ]);
});

// ---- Malformed patterns -----------------------------------------------------------------------

describe('validateEventPattern rejects malformed patterns', () => {
  interface InvalidCase {
    readonly name: string;
    readonly pattern: unknown;
    readonly error: RegExp;
  }

  const invalid: readonly InvalidCase[] = [
    { name: 'pattern is a string', pattern: '{"source":["aws.ec2"]}', error: /must be a JSON object/ },
    { name: 'pattern is null', pattern: null, error: /must be a JSON object/ },
    { name: 'pattern is an array', pattern: [{ source: ['aws.ec2'] }], error: /must be a JSON object/ },
    { name: 'leaf is a string, not an array', pattern: { source: 'aws.ec2' }, error: /"source" must be an object or an array/ },
    { name: 'leaf is a number, not an array', pattern: { detail: { int: 42 } }, error: /at "detail\.int".*must be an object or an array/ },
    { name: 'empty match array', pattern: { resources: [] }, error: /empty arrays are not allowed/ },
    { name: 'empty nested object', pattern: { detail: {} }, error: /empty objects are not allowed/ },
    { name: 'nested array in a match list', pattern: { source: [['aws.ec2']] }, error: /nested arrays/ },
    { name: 'unknown operator', pattern: { detail: { type: [{ contains: 'Normal' }] } }, error: /unrecognized match type "contains"/ },
    { name: 'operators are case-sensitive', pattern: { key: [{ EXISTS: true }] }, error: /unrecognized match type "EXISTS"/ },
    { name: 'two operators in one object', pattern: { key: [{ prefix: 'a', suffix: 'b' }] }, error: /exactly one operator/ },
    { name: 'exists is not a boolean', pattern: { key: [{ exists: 'yes' }] }, error: /exists match pattern must be either true or false/ },
    { name: 'prefix is a number', pattern: { key: [{ prefix: 5 }] }, error: /prefix match pattern must be a string/ },
    { name: 'suffix with an unknown inner operator', pattern: { key: [{ suffix: { wildcard: '*' } }] }, error: /suffix match pattern/ },
    {
      name: 'equals-ignore-case with a list',
      pattern: { 'detail-type': [{ 'equals-ignore-case': ['ec2 instance state-change notification'] }] },
      error: /equals-ignore-case match pattern must be a string/,
    },
    { name: 'numeric with two lower bounds', pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '>', 0] }] } }, error: /bad numeric range operator: >/ },
    { name: 'numeric with a dangling operator', pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<'] }] } }, error: /one or two \[operator, number\] pairs/ },
    { name: 'numeric with a string limit', pattern: { price: [{ numeric: ['=', '5'] }] }, error: /value of = must be numeric/ },
    { name: 'numeric with an unknown operator', pattern: { price: [{ numeric: ['!=', 5] }] }, error: /unrecognized numeric range operator/ },
    { name: 'numeric operator in upper case', pattern: { detail: { equal: [{ NUMERIC: ['=', 5] }] } }, error: /unrecognized match type "NUMERIC"/ },
    { name: 'numeric range with bottom above top', pattern: { price: [{ numeric: ['>', 10, '<', 5] }] }, error: /bottom must be less than top/ },
    { name: 'anything-but list containing null', pattern: { state: [{ 'anything-but': ['stopped', null] }] }, error: /only strings or only numbers/ },
    { name: 'anything-but list mixing strings and numbers', pattern: { state: [{ 'anything-but': ['stopped', 1] }] }, error: /only strings or only numbers/ },
    { name: 'anything-but with a boolean', pattern: { state: [{ 'anything-but': true }] }, error: /anything-but must be/ },
    { name: 'anything-but with an empty prefix', pattern: { FileName: [{ 'anything-but': { prefix: '' } }] }, error: /anything-but\/prefix must not be empty/ },
    {
      name: 'anything-but equals-ignore-case with a number',
      pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 123 } }] },
      error: /anything-but\/equals-ignore-case must be a string or a non-empty list of strings/,
    },
    { name: 'anything-but prefix list with a number', pattern: { state: [{ 'anything-but': { prefix: [123, 'test'] } }] }, error: /anything-but\/prefix must be a string/ },
    { name: 'anything-but with an unknown operator', pattern: { state: [{ 'anything-but': { contains: 'x' } }] }, error: /unsupported anything-but operator "contains"/ },
    {
      name: 'wildcard with consecutive stars',
      pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:**:event-bus/*' }] },
      error: /consecutive wildcard characters at pos 26/,
    },
    { name: 'wildcard escaping an ordinary character', pattern: { name: [{ wildcard: 'a\\b' }] }, error: /invalid escape/ },
    { name: 'wildcard ending in a lone backslash', pattern: { name: [{ wildcard: 'abc\\' }] }, error: /invalid escape/ },
    { name: 'cidr without a mask', pattern: { ip: [{ cidr: '10.0.0.0' }] }, error: /one '\/' required/ },
    { name: 'cidr with a bad address', pattern: { ip: [{ cidr: '10.0.0.256/24' }] }, error: /invalid IP address/ },
    { name: 'cidr with a mask that is too long', pattern: { ip: [{ cidr: '10.0.0.0/33' }] }, error: /invalid prefix length/ },
    { name: '$or is an object', pattern: { $or: { a: ['x'], b: ['y'] } }, error: /"\$or" must be an array of at least two objects/ },
    { name: '$or with one alternative', pattern: { $or: [{ a: ['x'] }] }, error: /"\$or" must be an array of at least two objects/ },
  ];

  it.each(invalid)('$name', ({ pattern, error }) => {
    expect(() => validateEventPattern(pattern)).toThrow(InvalidEventPatternError);
    expect(() => validateEventPattern(pattern)).toThrow(error);
  });

  it('matchesEventPattern refuses a malformed pattern instead of silently not matching', () => {
    const malformed = { source: 'aws.ec2' } as unknown as EventPattern;
    expect(() => matchesEventPattern(malformed, ec2Event)).toThrow(InvalidEventPatternError);
  });
});
