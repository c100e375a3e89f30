// The feature gates a kube-proxy binary knows: Kubernetes 1.36's list
// (kubernetes test/compatibility_lifecycle/reference/feature_list.md) and
// component-base's own (AllAlpha, AllBeta, ContextualLogging, the two logging
// option gates). kube-proxy refuses a gate it does not know, and a gate locked
// to its default when set to the other value (component-base featuregate.Set),
// so a --feature-gates line shared by every component of a cluster is accepted
// by kipvs exactly when kube-proxy accepts it.

/** Gates that may be set either way. */
const OPEN_GATES: readonly string[] = [
  'AllAlpha', 'AllBeta', 'ContextualLogging', 'LoggingAlphaOptions', 'LoggingBetaOptions', 'APIResponseCompression',
  'APIServerIdentity', 'APIServingWithRoutine', 'AllowDNSOnlyNodeCSR',
  'AllowInsecureKubeletCertificateSigningRequests', 'AllowParsingUserUIDFromCertAuth',
  'AllowUnsafeMalformedObjectDeletion', 'AtomicFIFO', 'AuthorizePodWebsocketUpgradeCreatePermission',
  'CBORServingAndStorage', 'CPUManagerPolicyAlphaOptions', 'CPUManagerPolicyBetaOptions',
  'CRDObservedGenerationTracking', 'CSIVolumeHealth', 'ChangeContainerStatusOnKubeletRestart',
  'ClearingNominatedNodeNameAfterBinding', 'ClientsAllowCBOR', 'ClientsPreferCBOR',
  'CloudControllerManagerWatchBasedRoutesReconciliation', 'CloudControllerManagerWebhook', 'ClusterTrustBundle',
  'ClusterTrustBundleProjection', 'ComponentFlagz', 'ComponentStatusz', 'ConcurrentWatchObjectDecode',
  'ConstrainedImpersonation', 'ContainerCheckpoint', 'ContainerRestartRules', 'ContainerStopSignals',
  'CoordinatedLeaderElection', 'CrossNamespaceVolumeDataSource', 'CustomCPUCFSQuotaPeriod', 'DRAAdminAccess',
  'DRAConsumableCapacity', 'DRADeviceBindingConditions', 'DRADeviceTaintRules', 'DRADeviceTaints',
  'DRAExtendedResource', 'DRAPartitionableDevices', 'DRAPrioritizedList', 'DRAResourceClaimDeviceStatus',
  'DRASchedulerFilterTimeout', 'DeclarativeValidation', 'DeclarativeValidationTakeover',
  'DeploymentReplicaSetTerminatingReplicas', 'DetectCacheInconsistency', 'DisableCPUQuotaWithExclusiveCPUs',
  'DisableNodeKubeProxyVersion', 'EnvFiles', 'EventedPLEG', 'ExternalServiceAccountTokenSigner', 'GangScheduling',
  'GenericWorkload', 'GitRepoVolumeDriver', 'GracefulNodeShutdown', 'GracefulNodeShutdownBasedOnPodPriority',
  'HPAConfigurableTolerance', 'HPAScaleToZero', 'HostnameOverride', 'ImageVolume', 'ImageVolumeWithDigest',
  'InOrderInformers', 'InOrderInformersBatchProcess', 'InPlacePodLevelResourcesVerticalScaling',
  'InPlacePodVerticalScalingAllocatedStatus', 'InPlacePodVerticalScalingExclusiveCPUs',
  'InPlacePodVerticalScalingExclusiveMemory', 'InformerResourceVersion', 'KMSv1', 'KubeletCrashLoopBackOffMax',
  'KubeletEnsureSecretPulledImages', 'KubeletInUserNamespace', 'KubeletPSI', 'KubeletPodResourcesDynamicResources',
  'KubeletPodResourcesGet', 'KubeletPodResourcesListUseActivePods', 'KubeletRegistrationGetOnExistsOnly',
  'KubeletSeparateDiskGC', 'KubeletServiceAccountTokenForCredentialProviders', 'ListFromCacheSnapshot',
  'LocalStorageCapacityIsolationFSQuotaMonitoring', 'MatchLabelKeysInPodTopologySpread',
  'MatchLabelKeysInPodTopologySpreadSelectorMerge', 'MaxUnavailableStatefulSet', 'MemoryQoS',
  'MutableCSINodeAllocatableCount', 'MutablePVNodeAffinity', 'MutablePodResourcesForSuspendedJobs',
  'MutableSchedulingDirectivesForSuspendedJobs', 'MutatingAdmissionPolicy', 'NodeDeclaredFeatures', 'NodeLogQuery',
  'NominatedNodeNameForExpectation', 'OpenAPIEnums', 'OpportunisticBatching', 'PodAndContainerStatsFromCRI',
  'PodCertificateRequest', 'PodDeletionCost', 'PodLevelResources', 'PodLogsQuerySplitStreams',
  'PodReadyToStartContainersCondition', 'PodTopologyLabelsAdmission', 'PortForwardWebsockets',
  'PreventStaticPodAPIReferences', 'ProcMountType', 'QOSReserved', 'ReduceDefaultCrashLoopBackOffDecay',
  'RelaxedServiceNameValidation', 'ReloadKubeletServerCertificateFile', 'RemoteRequestHeaderUID',
  'ResourceHealthStatus', 'ResourceHealthStatusMessage', 'RestartAllContainersOnContainerExits',
  'RotateKubeletServerCertificate', 'RuntimeClassInImageCriApi', 'SELinuxChangePolicy', 'SELinuxMount',
  'SELinuxMountReadWriteOncePod', 'SchedulerAsyncAPICalls', 'SchedulerAsyncPreemption', 'SchedulerPopFromBackoffQ',
  'SeparateCacheWatchRPC', 'ServiceAccountNodeAudienceRestriction', 'SizeBasedListCostEstimate',
  'StatefulSetSemanticRevisionComparison', 'StorageCapacityScoring', 'StorageNamespaceIndex', 'StorageVersionAPI',
  'StorageVersionHash', 'StorageVersionMigrator', 'StrictIPCIDRValidation',
  'StructuredAuthenticationConfigurationEgressSelector', 'StructuredAuthenticationConfigurationJWKSMetrics',
  'TaintTolerationComparisonOperators', 'TokenRequestServiceAccountUIDValidation',
  'TopologyManagerPolicyAlphaOptions', 'TopologyManagerPolicyBetaOptions', 'TranslateStreamCloseWebsocketRequests',
  'UnauthenticatedHTTP2DOSMitigation', 'UnknownVersionInteroperabilityProxy', 'UnlockWhileProcessingFIFO',
  'UserNamespacesHostNetworkSupport', 'UserNamespacesSupport', 'VolumeLimitScaling',
  'WatchCacheInitializationPostStartHook', 'WatchList', 'WatchListClient', 'WindowsCPUAndMemoryAffinity',
  'WindowsGracefulNodeShutdown', 'WindowsHostNetwork',
];

/** Gates locked to their default, which is true for every one of them (GA, or deprecated and kept on). */
const LOCKED_ON_GATES: readonly string[] = [
  'APIServerTracing', 'AggregatedDiscoveryRemoveBetaType', 'AllowOverwriteTerminationGracePeriodSeconds',
  'AnonymousAuthConfigurableEndpoints', 'AnyVolumeDataSource', 'AuthorizeNodeWithSelectors',
  'AuthorizeWithSelectors', 'BtreeWatchCache', 'CPUManagerPolicyOptions', 'CRDValidationRatcheting',
  'CSIServiceAccountTokenSecrets', 'ConsistentListFromCache', 'CustomResourceFieldSelectors',
  'DisableAllocatorDualWrite', 'DynamicResourceAllocation', 'ExecProbeTimeout', 'HonorPVReclaimPolicy',
  'ImageMaximumGCAge', 'InPlacePodVerticalScaling', 'JobBackoffLimitPerIndex', 'JobManagedBy',
  'JobPodReplacementPolicy', 'JobSuccessPolicy', 'KubeletCgroupDriverFromCRI', 'KubeletFineGrainedAuthz',
  'KubeletTracing', 'LogarithmicScaleDown', 'MatchLabelKeysInPodAffinity', 'MultiCIDRServiceAllocator',
  'NFTablesProxyMode', 'NodeInclusionPolicyInPodTopologySpread', 'NodeSwap', 'OrderedNamespaceDeletion',
  'PodLifecycleSleepAction', 'PodLifecycleSleepActionAllowZero', 'PodObservedGenerationTracking',
  'PodSchedulingReadiness', 'PreferSameTrafficDistribution', 'RecoverVolumeExpansionFailure',
  'RecursiveReadOnlyMounts', 'RelaxedDNSSearchValidation', 'RelaxedEnvironmentVariableValidation',
  'ResilientWatchCacheInitialization', 'RetryGenerateName', 'SchedulerQueueingHints',
  'SeparateTaintEvictionController', 'ServiceAccountTokenJTI', 'ServiceAccountTokenNodeBinding',
  'ServiceAccountTokenNodeBindingValidation', 'ServiceAccountTokenPodNodeInfo', 'SidecarContainers',
  'StreamingCollectionEncodingToJSON', 'StreamingCollectionEncodingToProtobuf',
  'StructuredAuthenticationConfiguration', 'SupplementalGroupsPolicy', 'SystemdWatchdog',
  'TopologyManagerPolicyOptions', 'VolumeAttributesClass', 'WinDSR', 'WinOverlay',
];

const OPEN: ReadonlySet<string> = new Set(OPEN_GATES);
const LOCKED_ON: ReadonlySet<string> = new Set(LOCKED_ON_GATES);

/**
 * kube-proxy's objections to `gates`, in its words: "unrecognized feature gate: X" and
 * "cannot set feature gate X to false, feature is locked to true".
 */
export function featureGateProblems(gates: Readonly<Record<string, boolean>>): string[] {
  return Object.entries(gates).flatMap(([name, value]): string[] => {
    if (LOCKED_ON.has(name)) return value ? [] : [`cannot set feature gate ${name} to false, feature is locked to true`];
    return OPEN.has(name) ? [] : [`unrecognized feature gate: ${name}`];
  });
}
