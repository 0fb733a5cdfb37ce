/* Turning the SMBIOS result and the verdict into findings, details text and artifacts. */
#ifndef HV_REPORT_H
#define HV_REPORT_H

#include "locate.h"
#include "verdict.h"

#include <dumppipe/dumppipe.h>
#include <stddef.h>


/* `!sysinfo machineid` lines for a decoded table. */
void hv_format_machineid(struct dp_text *t, const struct hv_smbios_info *info);
/* `lm` lines (start end module name) for the driver evidence. */
void hv_format_drivers(struct dp_text *t, const struct hv_verdict *v, const struct hv_observations *obs,
                       unsigned ptr_size);
/* The verdict finding's details: verdict, evidence, SMBIOS status, driver lines. */
void hv_format_verdict(struct dp_text *t, const struct hv_verdict *v, const struct hv_observations *obs,
                       const struct hv_smbios_result *smbios, unsigned ptr_size);

/* Adds hv.smbios and hv.verdict findings and publishes smbios.info and hv.verdict. */
int hv_report(dp_ctx *ctx, const struct hv_verdict *v, const struct hv_observations *obs,
              const struct hv_smbios_result *smbios);

#endif
