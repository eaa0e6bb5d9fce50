import { CreateApplicationCommand, DescribeApplicationCommand, KinesisAnalyticsClient, ListApplicationsCommand } from '@aws-sdk/client-kinesis-analytics';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/helpers.js';
import { exampleAuthenticator, keysOf } from '../server/auth/helpers.js';

describe('the Kinesis Analytics API under --auth', () => {
  let t: TestServer;
  const clients: KinesisAnalyticsClient[] = [];
  const client = (credentials: AwsCredentialIdentity): KinesisAnalyticsClient => {
    const c = new KinesisAnalyticsClient({ endpoint: t.server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestServer({ throttle: false, auth: exampleAuthenticator() });
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await t.close();
  });

  it('takes requests signed for kinesisanalytics and allows kinesisanalytics:<Operation> on the application ARN as the policies say', async () => {
    const admin = client(keysOf('admin'));
    await admin.send(new CreateApplicationCommand({ ApplicationName: 'guarded' }));
    expect((await admin.send(new DescribeApplicationCommand({ ApplicationName: 'guarded' }))).ApplicationDetail?.ApplicationStatus).toBe('READY');
    const app = client(keysOf('app'));
    await expect(app.send(new DescribeApplicationCommand({ ApplicationName: 'guarded' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'User: arn:aws:iam::000000000000:user/app is not authorized to perform: kinesisanalytics:DescribeApplication on resource: arn:aws:kinesisanalytics:us-east-1:000000000000:application/guarded because no identity-based policy allows the kinesisanalytics:DescribeApplication action',
    });
    await expect(app.send(new ListApplicationsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('kinesisanalytics:ListApplications because') });
    const forged = client({ ...keysOf('admin'), secretAccessKey: 'not the secret at all, but long' });
    await expect(forged.send(new ListApplicationsCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });
});
