// SPDX-License-Identifier: Apache-2.0
// placeholder until the allocate part of placecast_deploy lands.
