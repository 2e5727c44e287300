"""Provider service → FOCUS ServiceCategory tables.

Each table is written grouped by category and inverted at import. A service absent from its
table maps to ``"Other"``. Sources:

* AWS ``lineItem/ProductCode``: the FinOps Foundation focus_converters mapping file
  ``conversion_configs/aws/mapping_files/aws_category_mapping.csv`` (its product-code rows; the
  rows naming marketing features with ``*`` are left out), plus the few codes marked
  ``# Keel`` that it lacks. ``product/productFamily`` is a fallback for unknown codes.
* Azure ``MeterCategory``: Keel's table, aligned with the categories Microsoft's FOCUS export
  gives those meters; ``ConsumedService`` (resource provider) is the fallback, from
  focus_converters ``conversion_configs/azure/mapping_files/azure_category_mapping.csv``.
* GCP ``service.description``: Keel's table, by Google Cloud's product grouping.
"""

from __future__ import annotations

import pandas as pd


def _invert(grouped: dict[str, str]) -> dict[str, str]:
    """``{category: "name | name | ..."}`` → ``{name.casefold(): category}``."""
    table: dict[str, str] = {}
    for category, names in grouped.items():
        for name in names.split("|"):
            table[name.strip().casefold()] = category
    return table


AWS_PRODUCT_CODES = _invert(
    {
        "AI and Machine Learning": "AWSDeepRacer|AmazonA2I|AmazonCodeWhisperer|AmazonDevOpsGuru|"
        "AmazonEI|AmazonForecast|AmazonFraudDetector|AmazonHealthLake|AmazonKendra|AmazonLex|"
        "AmazonLookoutEquipment|AmazonLookoutMetrics|AmazonLookoutVision|AmazonMonitron|"
        "AmazonOmics|AmazonPersonalize|AmazonPolly|AmazonRekognition|AmazonSageMaker|"
        "AmazonTextract|comprehend|transcribe|translate|AmazonBedrock",  # Bedrock: Keel
        "Analytics": "AWSCleanRooms|AWSDataExchange|AWSGlueElasticViews|AWSGlue|AWSLakeFormation|"
        "AmazonAthena|AmazonCloudSearch|AmazonES|AmazonFinSpace|AmazonKinesisAnalytics|"
        "AmazonKinesisFirehose|AmazonKinesis|AmazonMSK|AmazonQuickSight|ElasticMapReduce|"
        "datapipeline",
        "Business Applications": "A4B|AWSSupplyChain|AWSWickr|AWSWisdom|AmazonChimeBusinessCalling|"
        "AmazonChimeCallMeAMCS|AmazonChimeCallMe|AmazonChimeDialInAMCS|AmazonChimeDialin|"
        "AmazonChimeFeatures|AmazonChimeServices|AmazonChimeVoiceConnector|AmazonChime|"
        "AmazonHoneycode|AmazonPinpoint|AmazonSES|AmazonSWF|AmazonWAM|AmazonWorkDocs|"
        "AmazonWorkLink|AmazonWorkMail|AmazonWorkSpacesWeb|ContactLensAmazonConnect|"
        "CustomerProfiles",
        "Compute": "AWSAppRunner|AWSLambda|AWSOutposts|AmazonEC2|AmazonLightsail|SimSpaceWeaver|"
        "VMwareCloudOnAWS|AmazonECRPublic|AmazonECR|AmazonECS|AmazonEKS|AmazonAppStream",
        "Databases": "AmazonDocDB|AmazonDynamoDB|AmazonElastiCache|AmazonMCS|AmazonMemoryDB|"
        "AmazonNeptune|AmazonRDS|AmazonRedshift|AmazonTimestream",
        "Developer Tools": "AWSAmplify|AWSAppSync|AWSCodeArtifact|AWSCodeCommit|AWSCodeDeploy|"
        "AWSCodePipeline|AWSDeviceFarm|CodeBuild|CodeCatalyst|CodeGuru|AWSCloudShell",  # Keel
        "Integration": "AWSQueueService|AmazonMQ|AmazonMWAA|AmazonSNS|AmazonStates|AppFlow|"
        "Amazon EventBridge|AWSAppFabric|AWSEvents",  # AWSEvents: Keel
        "Internet of Things": "AWSGreengrass|AWSIoT1Click|AWSIoTAnalytics|AWSIoTEvents|"
        "AWSIoTFleetWise|AWSIoTSiteWise|AWSIoTThingsGraph|AWSIoT|IoTDeviceDefender|"
        "IoTDeviceManagement|IoTTwinMaker",
        "Management and Governance": "AWSBudgets|AWSCostExplorer|AWSCloudFormation|AWSCloudTrail|"
        "AWSConfig|AWSResilienceHub|AWSServiceCatalog|AWSSystemsManager|AmazonCloudWatch|"
        "AmazonGrafana|AmazonPrometheus|OpsWorks|AWSBillingConductor",
        "Media": "AWSElementalMediaConvert|AWSElementalMediaLive|AWSElementalMediaPackage|"
        "AWSElementalMediaStore|AWSElementalMediaTailor|AWSMediaConnect|AmazonETS|AmazonIVS|"
        "AmazonKinesisVideo|nimble",
        "Migration": "AWSApplicationMigrationSvc|AWSDataSync|AWSDatabaseMigrationSvc|AWSM2|"
        "AWSTransfer|AWSMigrationHubRefactorSpaces",  # Keel
        "Networking": "AWSCloudMap|AWSCloudWAN|AWSDataTransfer|AWSDirectConnect|AWSELB|"
        "AWSGlobalAccelerator|AWSNetworkFirewall|AWSPrivate5G|AmazonApiGateway|"
        "AmazonCloudFront|AmazonRoute53|AmazonVPC",
        "Security": "AWSCertificateManager|AWSDirectoryService|AWSFMS|AWSSecretsManager|"
        "AWSSecurityHub|AWSShield|AmazonCognitoSync|AmazonCognito|AmazonDetective|"
        "AmazonGuardDuty|AmazonInspectorV2|AmazonInspector|AmazonMacie|AmazonSecurityLake|"
        "AmazonVerifiedPermissions|CloudHSM|auditmanager|awskms|awswaf",
        "Storage": "AWSBackup|AWSElasticDisasterRecovery|AWSStorageGatewayDeepArchive|"
        "AWSStorageGateway|AmazonEBS|AmazonEFS|AmazonFSx|AmazonGlacier|"
        "AmazonS3GlacierDeepArchive|AmazonS3|IngestionServiceSnowball|SnowballExtraDays",
        "Other": "AmazonManagedBlockchain|AmazonQLDB|AmazonBraket|AWSRoboMaker|AWSGroundStation",
    }
)

#: Keel: fallback by ``product/productFamily`` for product codes missing above.
AWS_PRODUCT_FAMILIES = _invert(
    {
        "Compute": "Compute Instance|Dedicated Host|Serverless",
        "Databases": "Database Instance|Database Storage",
        "Networking": "Data Transfer|Load Balancer|Load Balancer-Application|"
        "Load Balancer-Network|NAT Gateway|IP Address|VpcEndpoint",
        "Storage": "Storage|Storage Snapshot",
    }
)

AZURE_METER_CATEGORIES = _invert(
    {
        "AI and Machine Learning": "Cognitive Services|Azure Machine Learning|Azure OpenAI|"
        "Machine Learning Studio|Azure Bot Service",
        "Analytics": "Azure Synapse Analytics|HDInsight|Azure Data Explorer|Stream Analytics|"
        "Azure Databricks|Power BI Embedded|Azure Analysis Services|Microsoft Fabric",
        "Compute": "Virtual Machines|Virtual Machines Licenses|Cloud Services|Container Instances|"
        "Azure Container Apps|Azure Kubernetes Service|Functions|Batch|Azure VMware Solution|"
        "Virtual Machine Scale Sets|Azure Virtual Desktop|Container Registry",
        "Databases": "SQL Database|SQL Managed Instance|Azure Cosmos DB|Azure Database for MySQL|"
        "Azure Database for PostgreSQL|Azure Database for MariaDB|Redis Cache|"
        "Azure Cache for Redis|SQL Server",
        "Developer Tools": "Azure DevOps|Visual Studio Subscription|Azure Load Testing|"
        "Azure Maps|Automation",
        "Identity": "Azure Active Directory|Microsoft Entra ID|Azure Active Directory B2C|"
        "Microsoft Entra Domain Services",
        "Integration": "Azure Data Factory v2|Azure Data Factory|Event Hubs|Service Bus|"
        "Logic Apps|API Management|Event Grid|Notification Hubs",
        "Internet of Things": "IoT Hub|IoT Central|Azure Digital Twins|Azure Sphere",
        "Management and Governance": "Log Analytics|Azure Monitor|Insight and Analytics|"
        "Advisor|Azure Arc|Backup|Azure Site Recovery",
        "Media": "Media Services",
        "Networking": "Virtual Network|Bandwidth|Load Balancer|VPN Gateway|Application Gateway|"
        "Azure DNS|Network Watcher|Content Delivery Network|Azure Front Door Service|"
        "ExpressRoute|Azure Firewall|IP Addresses|NAT Gateway|Azure Bastion|Traffic Manager|"
        "Virtual WAN|Azure Private Link",
        "Security": "Key Vault|Microsoft Defender for Cloud|Azure Defender|Sentinel|"
        "Azure DDOS Protection|Security Center",
        "Storage": "Storage|Azure NetApp Files|Azure Data Lake Storage|Azure Files|"
        "Azure Managed Lustre",
        "Web": "Azure App Service|App Service|Static Web Apps|Azure Cognitive Search|SignalR",
    }
)

AZURE_CONSUMED_SERVICES = _invert(
    {
        "AI and Machine Learning": "microsoft.machinelearningservices|microsoft.cognitiveservices|"
        "microsoft.botservice|microsoft.machinelearning|microsoft.databricks",
        "Analytics": "microsoft.synapse|microsoft.datalakeanalytics|microsoft.kusto|"
        "microsoft.streamanalytics|microsoft.notebooks|microsoft.hdinsight",
        "Compute": "microsoft.compute|microsoft.containerinstance|microsoft.containerservice|"
        "microsoft.classiccompute|microsoft.avs|microsoft.desktopvirtualization|"
        "microsoft.serialconsole",
        "Databases": "microsoft.dbformysql|microsoft.dbforpostgressql|microsoft.sql|"
        "microsoft.sqlvirtualmachine|microsoft.documentdb",
        "Developer Tools": "microsoft.loadtestservice|microsoft.automation|microsoft.maps|"
        "microsoft.diagnostics|microsoft.devtestlab|microsoft.visualstudio|"
        "microsoft.resourcegraph",
        "Identity": "microsoft.guestconfiguration|microsoft.adhybridhealthservice|"
        "microsoft.authorization",
        "Integration": "microsoft.apimanagement|microsoft.datafactory|microsoft.eventgrid|"
        "microsoft.logic|microsoft.servicebus|microsoft.servicefabric|microsoft.eventhub|"
        "microsoft.servicelinker|microsoft.datashare",
        "Internet of Things": "microsoft.digitaltwins|microsoft.mixedreality|microsoft.iotsecurity",
        "Management and Governance": "microsoft.insights|microsoft.operationalinsights|"
        "microsoft.recoveryservices|microsoft.operationsmanagement|microsoft.changeanalysis|"
        "microsoft.costmanagementexports|microsoft.policyinsights|microsoft.blueprint|"
        "microsoft.advisor|microsoft.alertsmanagement|microsoft.costmanagement|"
        "microsoft.resourcehealth|microsoft.resourcenotifications",
        "Media": "microsoft.media",
        "Migration": "microsoft.migrate|microsoft.datamigration|microsoft.offazure",
        "Networking": "microsoft.network|microsoft.virtual network|microsoft.classicnetwork|"
        "microsoft.relay|microsoft.domainregistration",
        "Security": "microsoft.keyvault|microsoft.security|microsoft.securityinsights|"
        "microsoft.managedidentity",
        "Storage": "microsoft.storagesync|microsoft.storage|microsoft.cache|"
        "microsoft.datalakestore|"
        "microsoft.storagecache|microsoft.classicstorage|microsoft.containerregistry",
        "Web": "microsoft.appconfiguration|microsoft.search|microsoft.web|microsoft.cdn",
    }
)

GCP_SERVICES = _invert(
    {
        "AI and Machine Learning": "Vertex AI|Cloud Vision API|Cloud Natural Language API|"
        "Cloud Speech API|Speech-to-Text|Text-to-Speech|Cloud Translation|Dialogflow|"
        "Gemini API|Document AI|Notebooks",
        "Analytics": "BigQuery|BigQuery Storage API|BigQuery Reservation API|Dataflow|Dataproc|"
        "Cloud Composer|Looker|Data Catalog|Cloud Data Fusion",
        "Compute": "Compute Engine|Kubernetes Engine|Cloud Run|Cloud Functions|"
        "Cloud Run Functions|App Engine|Batch|VMware Engine",
        "Databases": "Cloud SQL|Cloud Spanner|Cloud Bigtable|Cloud Firestore|Firestore|"
        "Cloud Memorystore for Redis|Memorystore for Redis|AlloyDB for PostgreSQL|Datastore",
        "Developer Tools": "Artifact Registry|Cloud Build|Cloud Source Repositories|"
        "Container Registry|Cloud Deploy|Container Registry Vulnerability Scanning",
        "Identity": "Identity Platform|Cloud Identity",
        "Integration": "Cloud Pub/Sub|Pub/Sub|Cloud Scheduler|Cloud Tasks|Workflows|Eventarc|"
        "Apigee|API Gateway",
        "Management and Governance": "Cloud Logging|Cloud Monitoring|Stackdriver Logging|"
        "Stackdriver Monitoring|Cloud Trace|Cloud Profiler|Cloud Deployment Manager",
        "Networking": "Networking|Cloud DNS|Cloud CDN|Cloud Load Balancing|Cloud NAT|"
        "Cloud Interconnect|Cloud VPN|Network Intelligence Center|Cloud Domains",
        "Security": "Secret Manager|Cloud Key Management Service (KMS)|Cloud Armor|"
        "Security Command Center|Certificate Manager|Cloud Data Loss Prevention",
        "Storage": "Cloud Storage|Filestore|Backup and DR Service|Persistent Disk",
    }
)


def categorise(names: pd.Series, table: dict[str, str]) -> pd.Series:
    """Map provider service names (str) to FOCUS ServiceCategory; unknown or empty → NA."""
    return names.str.strip().str.casefold().map(table)


def categorise_with_fallback(
    names: pd.Series, table: dict[str, str], fallback: pd.Series, fallback_table: dict[str, str]
) -> pd.Series:
    """:func:`categorise` by ``names``, then by ``fallback``; what neither knows is ``"Other"``."""
    first = categorise(names, table)
    return first.fillna(categorise(fallback, fallback_table)).fillna("Other").astype(str)
