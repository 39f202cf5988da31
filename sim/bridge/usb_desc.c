/*
 * usb_desc.c - see usb_desc.h.
 */
#include "usb_desc.h"

#include <string.h>

#include "dsr/dsr_hw.h"

#define CONFIG_VALUE		1
#define SS_MAXPACKET0_EXP	9	/* super speed: ep0 max packet 2^9 = 512 */
#define HS_MAXPACKET0		64

/* Bulk max packet size: 512 at high speed, 1024 at super speed (dsr_hw.h). */
unsigned int usb_desc_maxpacket(enum usb_speed_kind speed)
{
	return speed == SIM_SPEED_SUPER ? DSR_USB_SS_MAXPACKET : DSR_USB_HS_MAXPACKET;
}

/* USB descriptors are little-endian. */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Device descriptor: USB 2.00 or 3.00, ep0 64 bytes or 2^9, strings 1-3. */
static size_t device_desc(enum usb_speed_kind speed, uint8_t *d)
{
	d[0] = 18;
	d[1] = USB_DT_DEVICE;
	put16(d + 2, speed == SIM_SPEED_SUPER ? 0x0300 : 0x0200);
	d[4] = 0;	/* class per interface */
	d[5] = 0;
	d[6] = 0;
	d[7] = speed == SIM_SPEED_SUPER ? SS_MAXPACKET0_EXP : HS_MAXPACKET0;
	put16(d + 8, DSR_USB_VID);
	put16(d + 10, DSR_USB_PID);
	put16(d + 12, SIM_BCD_DEVICE);
	d[14] = USB_STRING_MANUFACTURER;
	d[15] = USB_STRING_PRODUCT;
	d[16] = USB_STRING_SERIAL;
	d[17] = 1;	/* configurations */
	return 18;
}

/* One bulk endpoint, followed at super speed by its companion (bursts of
 * DSR_USB_SS_MAXBURST packets). */
static size_t endpoint_desc(enum usb_speed_kind speed, uint8_t addr, uint8_t *d)
{
	d[0] = 7;
	d[1] = USB_DT_ENDPOINT;
	d[2] = addr;
	d[3] = 2;	/* bulk */
	put16(d + 4, (uint16_t)usb_desc_maxpacket(speed));
	d[6] = 0;
	if (speed != SIM_SPEED_SUPER)
		return 7;
	d[7] = 6;
	d[8] = USB_DT_SS_EP_COMP;
	d[9] = DSR_USB_SS_MAXBURST - 1;	/* bMaxBurst counts extra packets */
	d[10] = 0;	/* no streams */
	put16(d + 11, 0);	/* wBytesPerInterval: periodic endpoints only */
	return 13;
}

/* Configuration 1: one vendor-class interface with bulk IN and bulk OUT. */
static size_t config_desc(enum usb_speed_kind speed, uint8_t *d)
{
	size_t n = 9;

	d[0] = 9;
	d[1] = USB_DT_CONFIG;
	d[4] = 1;	/* interfaces */
	d[5] = CONFIG_VALUE;
	d[6] = 0;
	d[7] = 0xc0;	/* self-powered: the board has its own supply */
	d[8] = speed == SIM_SPEED_SUPER ? 12 : 50;	/* 96 mA / 100 mA */
	d[n + 0] = 9;
	d[n + 1] = USB_DT_INTERFACE;
	d[n + 2] = DSR_USB_INTERFACE;
	d[n + 3] = 0;	/* alternate setting */
	d[n + 4] = 2;	/* endpoints */
	d[n + 5] = 0xff;	/* vendor class */
	d[n + 6] = 0;
	d[n + 7] = 0;
	d[n + 8] = 0;
	n += 9;
	n += endpoint_desc(speed, DSR_USB_EP_IN, d + n);
	n += endpoint_desc(speed, DSR_USB_EP_OUT, d + n);
	put16(d + 2, (uint16_t)n);
	return n;
}

/* BOS (super speed only): USB 2.0 extension and SuperSpeed device capability. */
static size_t bos_desc(uint8_t *d)
{
	size_t n = 5;

	d[0] = 5;
	d[1] = USB_DT_BOS;
	d[4] = 2;
	d[n + 0] = 7;
	d[n + 1] = USB_DT_DEVICE_CAPABILITY;
	d[n + 2] = 2;	/* USB 2.0 extension */
	memset(d + n + 3, 0, 4);	/* no LPM */
	n += 7;
	d[n + 0] = 10;
	d[n + 1] = USB_DT_DEVICE_CAPABILITY;
	d[n + 2] = 3;	/* SuperSpeed USB */
	d[n + 3] = 0;
	put16(d + n + 4, 0x000e);	/* full, high and super speed */
	d[n + 6] = 1;	/* fully functional from full speed up */
	d[n + 7] = 0x0a;	/* U1 exit latency, us */
	put16(d + n + 8, 0x0100);	/* U2 exit latency, us */
	n += 10;
	put16(d + 2, (uint16_t)n);
	return n;
}

/* Device qualifier (high speed only): what the device would be at full speed. */
static size_t qualifier_desc(uint8_t *d)
{
	d[0] = 10;
	d[1] = USB_DT_DEVICE_QUALIFIER;
	put16(d + 2, 0x0200);
	d[4] = 0;
	d[5] = 0;
	d[6] = 0;
	d[7] = HS_MAXPACKET0;
	d[8] = 1;
	d[9] = 0;
	return 10;
}

/* A string descriptor: ASCII @s as UTF-16LE. */
static size_t string_desc(const char *s, uint8_t *d)
{
	size_t len = strnlen(s, 126);

	d[0] = (uint8_t)(2 + 2 * len);
	d[1] = USB_DT_STRING;
	for (size_t i = 0; i < len; i++) {
		d[2 + 2 * i] = (uint8_t)s[i];
		d[3 + 2 * i] = 0;
	}
	return 2 + 2 * len;
}

/* Build the descriptor whole, then cut it to the host's wLength. */
int usb_desc_get(enum usb_speed_kind speed, uint8_t type, uint8_t index,
		 const char *serial, uint8_t *buf, size_t cap)
{
	uint8_t d[256];
	size_t n;

	memset(d, 0, sizeof(d));
	switch (type) {
	case USB_DT_DEVICE:
		n = device_desc(speed, d);
		break;
	case USB_DT_CONFIG:
		if (index != 0)
			return -1;
		n = config_desc(speed, d);
		break;
	case USB_DT_BOS:
		if (speed != SIM_SPEED_SUPER)
			return -1;
		n = bos_desc(d);
		break;
	case USB_DT_DEVICE_QUALIFIER:
		if (speed == SIM_SPEED_SUPER)
			return -1;
		n = qualifier_desc(d);
		break;
	case USB_DT_STRING:
		if (index == 0) {
			d[0] = 4;
			d[1] = USB_DT_STRING;
			put16(d + 2, USB_LANGID_EN_US);
			n = 4;
		} else if (index == USB_STRING_MANUFACTURER) {
			n = string_desc(DSR_USB_MANUFACTURER, d);
		} else if (index == USB_STRING_PRODUCT) {
			n = string_desc(DSR_USB_PRODUCT, d);
		} else if (index == USB_STRING_SERIAL) {
			n = string_desc(serial, d);
		} else {
			return -1;
		}
		break;
	default:
		return -1;
	}
	if (n > cap)
		n = cap;
	memcpy(buf, d, n);
	return (int)n;
}
