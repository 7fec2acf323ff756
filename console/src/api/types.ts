/** Short names for the generated schemas the screens use. */
import type { components } from "./schema";

type S = components["schemas"];
export type Appointment = S["Appointment"];
export type AppointmentCreate = S["AppointmentCreate"];
export type GroupAppointmentCreate = S["GroupAppointmentCreate"];
export type Booking = S["Booking"];
export type BookingWarning = S["BookingWarning"];
export type Client = S["Client"];
export type ClientProfile = S["ClientProfile"];
export type EntitlementSummary = S["EntitlementSummary"];
export type Pack = S["Pack"];
export type PackTemplate = S["PackTemplate"];
export type Authorization = S["Authorization"];
export type ClientSession = S["ClientSession"];
export type SessionCreate = S["SessionCreate"];
export type SessionResult = S["SessionResult"];
export type ChargeResult = S["ChargeResult"];
export type User = S["User"];
export type Role = S["Role"];
export type Location = S["Location"];
export type Room = S["Room"];
export type BillingCode = S["BillingCode"];
export type Invoice = S["Invoice"];
export type Group = S["Group"];
