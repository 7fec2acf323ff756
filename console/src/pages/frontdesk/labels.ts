import type { Appointment } from "../../api/types";

export const STATUS_LABEL: Record<Appointment["status"], string> = {
  booked: "Booked",
  attended: "Attended",
  no_show: "No show",
  late_cancel: "Late cancel",
  cancelled: "Cancelled",
};

export const WARNING_LABEL: Record<string, string> = {
  room: "Room",
  practitioner: "Practitioner",
  authorization: "Authorization",
  pack: "Pack",
};
