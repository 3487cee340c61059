/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON forms of store objects, with the contract's keys. Counts that can
 * exceed 2^64 are decimal strings here (the wire form); netctl prints them
 * as exact JSON numbers. */
#pragma once

#include <json-c/json.h>
#include <time.h>

#include "db/capacity.h"
#include "db/cluster.h"
#include "db/network.h"

struct json_object *json_network(const struct network *n);
struct json_object *json_cluster(const struct cluster *c);
/* The capacity report; `now` stamps generated_at (UTC, RFC 3339). */
struct json_object *json_capacity(const struct capacity *nets, size_t n, const struct capacity *lab,
                                  time_t now);
