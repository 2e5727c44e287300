"""The software delivery performance levels of the DORA report
(docs/metrics.md#dora-performance-bands): DORA (Google Cloud), *Accelerate State of DevOps
Report 2024*, "Software delivery performance" (the four clusters elite, high, medium and low). https://dora.dev/research/2024/dora-report/

The report gives each cluster's typical answer to a survey question; Keel turns each into a
limit to meet (`apps.metrics.registry.band_of`: the first, best level whose limit a value meets,
else the last). A month is 30.44 days (365.25 / 12)."""

from apps.metrics.registry import Band

DORA_2024 = "DORA, Accelerate State of DevOps Report 2024"
DAY_HOURS, WEEK_HOURS, MONTH_DAYS = 24.0, 168.0, 365.25 / 12

# Deployment frequency, per day of the period (Keel's release_frequency when releases are
# production deployments).
DEPLOYMENT_FREQUENCY = (
    Band("elite", 1.0, "on demand (multiple deploys per day)"),
    Band("high", 1.0 / 7.0, "between once per day and once per week"),
    # Once in a month of 31 days still is once a month.
    Band("medium", 1.0 / 31.0, "between once per week and once per month"),
    Band("low", 0.0, "between once per month and once every six months"),
)
# Change lead time, in hours.
LEAD_TIME = (
    Band("elite", DAY_HOURS, "less than one day"),
    Band("high", WEEK_HOURS, "between one day and one week"),
    Band("medium", MONTH_DAYS * DAY_HOURS, "between one week and one month"),
    Band("low", 6 * MONTH_DAYS * DAY_HOURS, "between one month and six months"),
)
# Change fail rate, a ratio. The 2024 clusters are not ordered on this metric (the medium
# cluster's 10% is lower than the high cluster's 20%), so a rate of 20% or less reads "high".
CHANGE_FAIL_RATE = (
    Band("elite", 0.05, "5%"),
    Band("high", 0.20, "20%"),
    Band("medium", 0.10, "10%"),
    Band("low", 0.40, "40%"),
)
# Failed deployment recovery time, in hours.
RECOVERY_TIME = (
    Band("elite", 1.0, "less than one hour"),
    Band("high", DAY_HOURS, "less than one day"),
    Band("medium", DAY_HOURS, "less than one day"),
    Band("low", MONTH_DAYS * DAY_HOURS, "between one week and one month"),
)
