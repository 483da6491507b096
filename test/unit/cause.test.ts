import { causeOf, type CauseInput, type FoldedWarning } from '../../src/core/cause.js';

const w = (reason: string, message: string, count = 1, lastAt = 1000): FoldedWarning => ({ reason, message, count, lastAt });

// Messages as kubelet, containerd and CRI-O write them (copied from real clusters' `kubectl describe pod`).
const NOT_FOUND = 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:nope": failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found';
const DENIED = 'rpc error: code = Unknown desc = failed to pull and unpack image "ghcr.io/acme/private:1.2": failed to resolve reference "ghcr.io/acme/private:1.2": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized';
const ECR_DENIED = 'Failed to pull image "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1": rpc error: code = Unknown desc = Error response from daemon: pull access denied for app, repository does not exist or may require \'docker login\': denied: requested access to the resource is denied';
const RATE = 'Failed to pull image "redis:7": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/redis:7": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/redis/manifests/sha256:abc: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit';
const BACKOFF = 'Back-off pulling image "docker.io/library/nginx:nope"';
const NO_EXEC = 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/app/serve": stat /app/serve: no such file or directory: unknown';
const NO_PERM = 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/entrypoint.sh": permission denied: unknown';
const EVICTED = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 88040Ki. Container app was using 1203848Ki, request is 0, has larger consumption of its request. ';
const LIVENESS = 'Liveness probe failed: HTTP probe failed with statuscode: 500';
const READINESS = 'Readiness probe failed: Get "http://10.0.3.7:8080/ready": dial tcp 10.0.3.7:8080: connect: connection refused';

describe('causeOf', () => {
  test.each<[string, CauseInput, string]>([
    ['OOMKilled with a limit', { reason: 'OOMKilled', exitCode: 137, memoryLimit: '256Mi' }, 'out of memory (limit 256Mi)'],
    ['OOMKilled without a limit', { reason: 'OOMKilled', exitCode: 137 }, 'out of memory'],
    ['CrashLoopBackOff after an OOM kill', { reason: 'CrashLoopBackOff', exitCode: 137, lastReason: 'OOMKilled', memoryLimit: '1Gi' }, 'out of memory (limit 1Gi)'],
    ['137 after liveness failures', { reason: 'CrashLoopBackOff', exitCode: 137, warnings: [w('Unhealthy', LIVENESS, 12), w('BackOff', 'Back-off restarting failed container app in pod x')] }, 'killed by its liveness probe'],
    ['137 with only readiness failures', { reason: 'Error', exitCode: 137, warnings: [w('Unhealthy', READINESS, 3)] }, 'killed (SIGKILL)'],
    ['137 alone', { reason: 'Error', exitCode: 137 }, 'killed (SIGKILL)'],
    ['143', { reason: 'Error', exitCode: 143 }, 'stopped by SIGTERM'],
    ['139', { reason: 'CrashLoopBackOff', exitCode: 139 }, 'segmentation fault'],
    ['134', { reason: 'Error', exitCode: 134 }, 'aborted (SIGABRT)'],
    ['127', { reason: 'CrashLoopBackOff', exitCode: 127 }, 'command not found'],
    ['126', { reason: 'CrashLoopBackOff', exitCode: 126 }, 'not executable'],
    ['1', { reason: 'CrashLoopBackOff', exitCode: 1, message: 'back-off 40s restarting failed container=app pod=checkout-7d9f8b6c5d-x2k4q_shop(…)' }, 'exited with code 1'],
    ['2', { reason: 'Error', exitCode: 2 }, 'exited with code 2'],
    ['130 is SIGINT', { reason: 'Error', exitCode: 130 }, 'killed by SIGINT (exit 130)'],
    ['255', { reason: 'Error', exitCode: 255 }, 'exited with code 255'],
    ['ErrImagePull, tag not found', { reason: 'ErrImagePull', message: NOT_FOUND }, 'image or tag not found'],
    ['ImagePullBackOff reads the Failed Event', { reason: 'ImagePullBackOff', message: BACKOFF, warnings: [w('Failed', `Failed to pull image "docker.io/library/nginx:nope": ${NOT_FOUND}`, 4), w('BackOff', BACKOFF, 9)] }, 'image or tag not found'],
    ['401 from the registry', { reason: 'ErrImagePull', message: DENIED }, 'registry refused the credentials'],
    ['ECR access denied (repository may not exist)', { reason: 'ImagePullBackOff', message: BACKOFF, warnings: [w('Failed', ECR_DENIED)] }, 'image or tag not found'],
    ['docker hub rate limit', { reason: 'ErrImagePull', message: RATE }, 'registry rate limit'],
    ['ImagePullBackOff with nothing else known', { reason: 'ImagePullBackOff', message: BACKOFF }, 'ImagePullBackOff'],
    ['InvalidImageName', { reason: 'InvalidImageName', message: 'Failed to apply default image tag "Nginx:": couldn\'t parse image reference "Nginx:": invalid reference format' }, 'invalid image name'],
    ['missing Secret', { reason: 'CreateContainerConfigError', message: 'secret "db-creds" not found' }, 'missing Secret db-creds'],
    ['missing ConfigMap', { reason: 'CreateContainerConfigError', message: 'configmap "app-config" not found' }, 'missing ConfigMap app-config'],
    ['missing key', { reason: 'CreateContainerConfigError', message: "couldn't find key password in Secret shop/db-creds" }, 'missing key password in Secret shop/db-creds'],
    ['config error from the Event', { reason: 'CreateContainerConfigError', warnings: [w('Failed', 'Error: secret "tls" not found')] }, 'missing Secret tls'],
    ['config error, unknown', { reason: 'CreateContainerConfigError', message: 'something odd' }, 'CreateContainerConfigError'],
    ['exec not found', { reason: 'StartError', exitCode: 128, message: NO_EXEC }, 'command not found'],
    ['exec permission denied', { reason: 'RunContainerError', message: NO_PERM }, 'not executable'],
    ['Evicted for memory', { reason: 'Evicted', message: EVICTED }, 'evicted: node low on memory'],
    ['Evicted for storage', { reason: 'Evicted', message: 'Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ' }, 'evicted: used too much ephemeral storage'],
    ['unknown reason falls back', { reason: 'DeadlineExceeded' }, 'DeadlineExceeded'],
  ])('%s', (_name, input, expected) => expect(causeOf(input)).toBe(expected));

  test('a huge memory limit string cannot make the line unbounded', () => {
    expect(causeOf({ reason: 'OOMKilled', memoryLimit: 'x'.repeat(5000) }).length).toBeLessThanOrEqual(200);
  });
});
