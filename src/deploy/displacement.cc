// SPDX-License-Identifier: Apache-2.0
// placeholder until the displacement part of placecast_deploy lands.
