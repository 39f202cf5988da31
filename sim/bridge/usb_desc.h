/*
 * usb_desc.h - the board's USB descriptors, high-speed and super-speed variants.
 *
 * Identity, endpoints and packet sizes come from dsr_hw.h; this file only lays them
 * out as the USB 2.0 / 3.x specifications want them.
 */
#ifndef SIM_USB_DESC_H
#define SIM_USB_DESC_H

#include <stddef.h>
#include <stdint.h>

#define USB_DT_DEVICE		1
#define USB_DT_CONFIG		2
#define USB_DT_STRING		3
#define USB_DT_INTERFACE	4
#define USB_DT_ENDPOINT		5
#define USB_DT_DEVICE_QUALIFIER	6
#define USB_DT_BOS		15
#define USB_DT_DEVICE_CAPABILITY 16
#define USB_DT_SS_EP_COMP	48

#define USB_STRING_MANUFACTURER	1
#define USB_STRING_PRODUCT	2
#define USB_STRING_SERIAL	3
#define USB_LANGID_EN_US	0x0409

#define SIM_FIRMWARE_VERSION	0x00010000u	/* the bridge model, 1.0 */
#define SIM_BCD_DEVICE		0x0100

enum usb_speed_kind {
	SIM_SPEED_HIGH,
	SIM_SPEED_SUPER,
};

/* Bulk max packet size of the data endpoints at @speed. */
unsigned int usb_desc_maxpacket(enum usb_speed_kind speed);

/*
 * The descriptor of @type and @index (wValue of GET_DESCRIPTOR) for a device running at
 * @speed with serial @serial, written into @buf (at most @cap bytes, truncated as the
 * host's wLength asks). Returns the bytes written, or -1 when the device has no such
 * descriptor (the request then STALLs).
 */
int usb_desc_get(enum usb_speed_kind speed, uint8_t type, uint8_t index,
		 const char *serial, uint8_t *buf, size_t cap);

#endif /* SIM_USB_DESC_H */
