import { loadConfig } from '../../src/config.js';
import { problemsOf } from '../support/config.js';

describe('persistence configuration (POD_NAMESPACE, THREAD_STORE_CONFIGMAP)', () => {
  test('unset by default: state is kept in memory only', () => {
    expect(loadConfig({})).toMatchObject({ podNamespace: undefined, threadStoreConfigMap: undefined });
  });

  test.each([
    [{ POD_NAMESPACE: 'podbell', THREAD_STORE_CONFIGMAP: 'podbell-threads' }, { podNamespace: 'podbell', threadStoreConfigMap: 'podbell-threads' }],
    [{ POD_NAMESPACE: ' monitoring ', THREAD_STORE_CONFIGMAP: 'podbell.threads-v1' }, { podNamespace: 'monitoring', threadStoreConfigMap: 'podbell.threads-v1' }],
    [{ POD_NAMESPACE: '', THREAD_STORE_CONFIGMAP: '' }, { podNamespace: undefined, threadStoreConfigMap: undefined }],
  ])('%j is read as %j', (env, expected) => {
    expect(loadConfig(env)).toMatchObject(expected);
  });

  test.each([
    ['POD_NAMESPACE', 'Podbell', 'not a namespace name'],
    ['POD_NAMESPACE', 'pod.bell', 'not a namespace name'],
    ['POD_NAMESPACE', 'a'.repeat(64), 'not a namespace name'],
    ['THREAD_STORE_CONFIGMAP', 'Threads', 'not a ConfigMap name'],
    ['THREAD_STORE_CONFIGMAP', 'threads_1', 'not a ConfigMap name'],
    ['THREAD_STORE_CONFIGMAP', '-threads', 'not a ConfigMap name'],
    ['THREAD_STORE_CONFIGMAP', 'a'.repeat(254), 'not a ConfigMap name'],
  ])('%s=%s is refused, naming the variable and the value', (name, value, why) => {
    expect(problemsOf({ [name]: value })).toEqual([`${name}=${JSON.stringify(value)}: ${why}${name === 'POD_NAMESPACE' ? ' (DNS-1123 label)' : ' (DNS-1123 subdomain)'}`]);
  });
});
