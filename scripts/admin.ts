/**
 * Creates an administrator in a deployed target's users table:
 *
 *   npm run admin -- create --email admin@example.com --password 'long secret' [--name Admin] [--stage dev] [--table NAME]
 *
 * The table is found from the users stack's `UsersTableName` output (CloudFormation), in the
 * account, region and endpoint of the environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL
 * for LocalStack). The admin is created through the users domain, exactly like a registration,
 * so it gets a hashed password, a uniqueness claim on its email and a UserRegistered event.
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { createAdmin } from '../functions/users/adapters/create-admin';
import { stageFrom } from '../lib/platform/stage';

// Re-exported: scripts/localstack.ts and the tests reach them through the admin script.
export { createAdmin, DEFAULT_ADMIN } from '../functions/users/adapters/create-admin';

const USAGE = 'usage: npm run admin -- create --email E --password P [--name N] [--stage dev|prod] [--table TABLE]';

export async function usersTableOf(stage: string, cloudFormation = new CloudFormationClient({})): Promise<string> {
  const stackName = `commerce-${stage}-users`;
  let outputs: { OutputKey?: string; OutputValue?: string }[] | undefined;
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Stacks?.[0]?.Outputs;
  } catch (error) {
    throw new Error(`Cannot read stack ${stackName}: ${(error as Error).message}. Deploy it first (npm run deploy) or pass --table.`, { cause: error });
  }
  const table = outputs?.find((output) => output.OutputKey === 'UsersTableName')?.OutputValue;
  if (!table) throw new Error(`Stack ${stackName} has no UsersTableName output: is it deployed from this version?`);
  return table;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string', default: 'Administrator' },
      stage: { type: 'string', default: 'dev' }, table: { type: 'string' },
    },
  });
  if (positionals[0] !== 'create' || !values.email || !values.password) throw new Error(USAGE);
  const stage = stageFrom(values.stage).name;
  const table = values.table ?? (await usersTableOf(stage));
  const admin = await createAdmin({ email: values.email, password: values.password, name: values.name, table });
  console.log(`Created admin ${admin.email} (${admin.id}) in ${table}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    const issues = (error as { issues?: { path: string[]; message: string }[] }).issues;
    console.error(issues ? issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') : (error as Error).message);
    process.exit(1);
  });
}
