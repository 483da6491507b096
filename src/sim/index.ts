/** The simulated Kubernetes API server: store, HTTP server, pod builders and kubeconfig helpers. */
export { SimCluster, k8sTime, type SimClusterOptions, type SimEvent, type SimResource } from './store.js';
export { startSimServer, type SimFaults, type SimRequestAttributes, type SimServer, type SimServerOptions } from './server.js';
export { SIM_TOKEN, simKubeConfig, simKubeconfigObject, simKubeconfigText, type SimKubeconfigOptions } from './kubeconfig.js';
export * as pods from './pods.js';
export { seededRandom } from './random.js';
export { SimDeployment, type DeployOptions, type SimPodRef } from './workloads.js';
export { SIM_CA_PEM } from './tls.js';
