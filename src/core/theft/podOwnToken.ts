/**
 * A pod's own token, read where the pod mounts it. Every in-cluster client (client-go, the Azure and
 * AWS SDKs' workload identity credentials) opens its pod's service account or federated token at
 * `/var/run/secrets/…` on start and again as the token rotates: the token's intended reader, in
 * every pod of every node. A container-aware sensor (Elastic Defend, auditd with container
 * metadata) showed each as a first-time program per image and node, a Medium on every new node of
 * an autoscaling cluster. Such a read by a program that is not a suspicious caller is the token
 * used as designed and raises nothing.
 *
 * What still counts: a shell, file utility, download tool or inline interpreter reading it (`kubectl
 * exec … -- cat …/token`), any program running from a temporary folder, and every read of a pod's
 * token from the node's side (`/var/lib/kubelet/pods/<uid>/volumes/…`: another pod's token). A
 * program an intruder leaves in a pod's writable layer outside a temporary folder and runs there
 * to read that pod's token is not seen by this rule.
 */
import type { EndpointEvent } from '../records/endpoint/endpointEvent';
import { isReadAction } from './tokenFiles';

/** The token file patterns of a pod's own mounts (tokenFiles.ts), not the node's view of them. */
const POD_MOUNTED_TOKENS: ReadonlySet<string> = new Set(['kubernetes-service-account', 'azure-workload-identity', 'eks-irsa', 'eks-pod-identity', 'projected-service-account-token']);

/**
 * Where a pod mounts its tokens, from the container's root. The token patterns match anywhere in a
 * path; another container's token seen through a host mount (`/host/run/containerd/…/rootfs/var/run/secrets/…`)
 * is not this pod's own.
 */
const POD_MOUNT = /^\/(?:var\/)?run\/secrets\//;

/** A file event in a container that reads a token at its pod's own mount (`matched`: the token file pattern id). */
export function readsOwnPodToken(event: EndpointEvent, matched: string): boolean {
  const file = event.file;
  return event.kind === 'file' && file !== null && event.process.containerId !== '' && POD_MOUNTED_TOKENS.has(matched) && POD_MOUNT.test(file.pathKey) && isReadAction(file.action);
}
