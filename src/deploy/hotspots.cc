// SPDX-License-Identifier: Apache-2.0
// placeholder until the hotspots part of placecast_deploy lands.
