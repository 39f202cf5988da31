/*
 * dsr.h - libdsr, the host side of the DSR appliance: one include for all of it.
 */
#ifndef DSR_H
#define DSR_H

#include "dsr_hw.h"
#include "error.h"
#include "model.h"
#include "image.h"
#include "sample.h"
#include "board.h"
#include "register.h"
#include "contrast.h"
#include "montage.h"

#endif /* DSR_H */
