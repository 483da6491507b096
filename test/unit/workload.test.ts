import { describe, expect, test } from '@jest/globals';
import { projectPod } from '../../src/core/pod.js';
import { resolveWorkload } from '../../src/core/workload.js';
import { loadPod } from '../fixtures/pods.js';

const ref = (kind: unknown, name: unknown, controller: unknown = true) => ({ apiVersion: 'apps/v1', kind, name, uid: 'x', controller });

describe('resolveWorkload: the incident key names the workload a person owns', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['ReplicaSet with pod-template-hash -> Deployment', { ownerReferences: [ref('ReplicaSet', 'checkout-7d9f8b6c5d')], labels: { 'pod-template-hash': '7d9f8b6c5d' } }, 'checkout-7d9f8b6c5d-x2k4q', 'Deployment/checkout'],
    ['Deployment whose name has dashes', { ownerReferences: [ref('ReplicaSet', 'payments-api-v2-5b6c7d8f9')], labels: { 'pod-template-hash': '5b6c7d8f9' } }, 'payments-api-v2-5b6c7d8f9-abcde', 'Deployment/payments-api-v2'],
    ['ReplicaSet without labels but a hash-shaped suffix -> Deployment', { ownerReferences: [ref('ReplicaSet', 'checkout-7d9f8b6c5d')] }, 'p', 'Deployment/checkout'],
    ['ReplicaSet whose hash label does not match its name stays a ReplicaSet', { ownerReferences: [ref('ReplicaSet', 'legacy-frontend')], labels: { 'pod-template-hash': 'zzzzz' } }, 'p', 'ReplicaSet/legacy-frontend'],
    ['bare ReplicaSet (no hash-shaped suffix)', { ownerReferences: [ref('ReplicaSet', 'frontend')] }, 'frontend-abcde', 'ReplicaSet/frontend'],
    ['a suffix with vowels is not a template hash', { ownerReferences: [ref('ReplicaSet', 'web-canary')] }, 'p', 'ReplicaSet/web-canary'],
    ['Argo Rollout ReplicaSet', { ownerReferences: [ref('ReplicaSet', 'shop-web-6d4f9c8b7')], labels: { 'rollouts-pod-template-hash': '6d4f9c8b7' } }, 'p', 'Rollout/shop-web'],
    ['StatefulSet', { ownerReferences: [ref('StatefulSet', 'orders')] }, 'orders-0', 'StatefulSet/orders'],
    ['DaemonSet', { ownerReferences: [ref('DaemonSet', 'log-agent')] }, 'log-agent-7xq2v', 'DaemonSet/log-agent'],
    ['Job created by a CronJob -> CronJob', { ownerReferences: [ref('Job', 'nightly-report-28731600')] }, 'nightly-report-28731600-6xk2m', 'CronJob/nightly-report'],
    ['Job with a short numeric suffix is a plain Job', { ownerReferences: [ref('Job', 'backup-42')] }, 'backup-42-abcde', 'Job/backup-42'],
    ['Job created by hand from a CronJob', { ownerReferences: [ref('Job', 'nightly-report-manual-x7k')] }, 'p', 'Job/nightly-report-manual-x7k'],
    ['plain Job', { ownerReferences: [ref('Job', 'db-migrate')] }, 'db-migrate-4kq8r', 'Job/db-migrate'],
    ['static pod mirrored by the kubelet -> StaticPod without the node suffix', { ownerReferences: [ref('Node', 'node-2')] }, 'kube-apiserver-node-2', 'StaticPod/kube-apiserver'],
    ['unknown controller kind is its own workload', { ownerReferences: [ref('Workflow', 'etl-nightly')] }, 'etl-nightly-123', 'Workflow/etl-nightly'],
    ['the controller reference wins over an earlier non-controller one', { ownerReferences: [ref('ConfigMap', 'cm', false), ref('StatefulSet', 'orders')] }, 'orders-1', 'StatefulSet/orders'],
    ['no controller flag: the first well-formed reference', { ownerReferences: [ref('DaemonSet', 'node-exporter', undefined)] }, 'p', 'DaemonSet/node-exporter'],
    ['bare pod', {}, 'debug-shell', 'Pod/debug-shell'],
    ['ownerReferences null', { ownerReferences: null }, 'p', 'Pod/p'],
    ['ownerReferences not an array', { ownerReferences: { kind: 'ReplicaSet' } }, 'p', 'Pod/p'],
    ['references without kind or name are skipped', { ownerReferences: [null, 42, { kind: 'ReplicaSet' }, { name: 'x' }] }, 'p', 'Pod/p'],
    ['labels null', { ownerReferences: [ref('ReplicaSet', 'checkout-7d9f8b6c5d')], labels: null }, 'p', 'Deployment/checkout'],
    ['hash label of the wrong type', { ownerReferences: [ref('ReplicaSet', 'api-xk2')], labels: { 'pod-template-hash': 7 } }, 'p', 'ReplicaSet/api-xk2'],
  ];
  test.each(cases)('%s', (_name, meta, podName, expected) => {
    const w = resolveWorkload(meta, podName);
    expect(`${w.kind}/${w.name}`).toBe(expected);
  });
});

describe('workloads of the fixture pods', () => {
  test.each([
    ['crashloop-backoff', 'Deployment/checkout'],
    ['two-containers-failing', 'StatefulSet/orders'],
    ['long-termination-message', 'DaemonSet/log-agent'],
    ['job-error-never', 'Job/db-migrate'],
    ['job-error-onfailure', 'CronJob/nightly-report'],
    ['no-uid-no-namespace', 'Pod/scratch'],
    ['null-fields', 'Pod/checkout-7d9f8b6c5d-n0l1f'],
  ])('%s -> %s', (name, expected) => {
    const w = projectPod(loadPod(name))?.workload;
    expect(`${w?.kind}/${w?.name}`).toBe(expected);
  });
});
