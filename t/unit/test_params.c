/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/params: parameter names (parameq) and comma-list items (ids) */
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "unit.h"

int main(void)
{
	struct param_items it = { NULL, 0 };
	struct buf b = BUF_INIT;

	/* kernel/params.c parameq(): '-' and '_' one character, case kept */
	CHECK(param_eq("disable-vga", 11, "disable_vga", 11));
	CHECK(!param_eq("IDS", 3, "ids", 3));
	CHECK(!param_eq("ids", 3, "id", 2));

	/* ids: NAME or MODULE.NAME (split at the first '.') */
	CHECK(param_is_ids("ids", 3));
	CHECK(param_is_ids("vfio-pci.ids", 12));
	CHECK(param_is_ids("pci_stub.ids", 12));
	CHECK(!param_is_ids("vfio-pci.idss", 13));
	CHECK(!param_is_ids("vfio.pci", 8));

	/* VENDOR:DEVICE[...] up to six hex fields */
	CHECK(param_id_ok("10DE:1b80", 9));
	CHECK(param_id_ok("8086:3e92:ffffffff:ffffffff:030000:ffff00", 41));
	CHECK(!param_id_ok("8086", 4));
	CHECK(!param_id_ok("8086:", 5));
	CHECK(!param_id_ok("8086:3e9g", 9));
	CHECK(!param_id_ok("1:2:3:4:5:6:7", 13));

	CHECK(param_item_eq("10de:1b80", 9, "10DE:1B80", 9, 1));
	CHECK(!param_item_eq("10de:1b80", 9, "10DE:1B80", 9, 0));

	param_items_split(&it, ",10de:1b80,,8086:3e92,", 22);
	CHECK_INT(it.n, 2);
	CHECK_INT(param_items_find(&it, "8086:3E92", 9, 1), 1);
	CHECK_INT(param_items_find(&it, "8086:3E92", 9, 0), -1);
	param_items_join(&it, &b);
	CHECK_STR(b.p, "10de:1b80,8086:3e92");
	param_items_free(&it);
	CHECK_INT(it.n, 0);
	buf_free(&b);
	return UNIT_DONE();
}
